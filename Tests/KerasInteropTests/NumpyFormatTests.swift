import Foundation
import Testing
@testable import KerasInterop

/// The array make_fixtures.py writes in several dtypes: arange(12).reshape(3, 4) / 8 - 0.5.
private let reference: [Float] = (0..<12).map { Float($0) / 8 - 0.5 }

@Suite("NumPy .npy format")
struct NumpyFormatTests {
    @Test("float dtypes, byte orders and header versions written by numpy read the same values",
          arguments: ["f4_3x4.npy", "f8_3x4.npy", "be_f4_3x4.npy", "v2_f4_3x4.npy"])
    func readsFloatFixtures(file: String) throws {
        let array = try NumpyArray(contentsOfNPY: FixtureFiles.url("numpy/\(file)"))
        #expect(array.shape == [3, 4])
        #expect(array.values == reference) // all are exact in float32 (multiples of 1/8)
    }

    @Test("integer and bool dtypes are converted to Float32")
    func readsIntegers() throws {
        let i8 = try NumpyArray(contentsOfNPY: FixtureFiles.url("numpy/i8_5.npy"))
        #expect(i8.shape == [5])
        #expect(i8.values == [-2, -1, 0, 1, 2])
        let i4 = try NumpyArray(contentsOfNPY: FixtureFiles.url("numpy/i4_2x2.npy"))
        #expect(i4.shape == [2, 2])
        #expect(i4.values == [1, -2, 3, -4])
        let u1 = try NumpyArray(contentsOfNPY: FixtureFiles.url("numpy/u1_4.npy"))
        #expect(u1.values == [0, 1, 2, 255])
    }

    @Test("0-d and empty arrays keep their shapes")
    func readsScalarAndEmpty() throws {
        let scalar = try NumpyArray(contentsOfNPY: FixtureFiles.url("numpy/scalar_f4.npy"))
        #expect(scalar.shape == [])
        #expect(scalar.values == [2.5])
        let empty = try NumpyArray(contentsOfNPY: FixtureFiles.url("numpy/empty_0x3.npy"))
        #expect(empty.shape == [0, 3])
        #expect(empty.values.isEmpty)
    }

    @Test("Fortran-ordered arrays are refused")
    func refusesFortranOrder() {
        let url = FixtureFiles.url("numpy/fortran_3x4.npy")
        #expect(throws: KerasInteropError.fortranOrderNotSupported(file: url.path)) {
            try NumpyArray(contentsOfNPY: url)
        }
    }

    @Test("written .npy bytes read back identically, header padded to 64 bytes",
          arguments: [[3, 4], [7], [], [0, 2], [2, 1, 3]])
    func roundTrip(shape: [Int]) throws {
        let count = shape.reduce(1, *)
        let array = NumpyArray(shape: shape, values: (0..<count).map { Float($0) * 0.37 - 1.1 })
        let data = array.npyData()
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        #expect(try NumpyArray(npy: data, file: "x.npy") == array)
    }

    /// A version-1.0 header around `header` with `payload` bytes of data.
    private static func npy(header: String, payload: Int = 48, magic: [UInt8] = NumpyArray.npyMagic,
                            version: [UInt8] = [1, 0]) -> Data {
        let text = Array((header + "\n").utf8)
        return Data(magic + version + [UInt8(text.count & 0xFF), UInt8(text.count >> 8)] + text
                    + [UInt8](repeating: 0, count: payload))
    }

    static let valid = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }"

    static let corrupted: [(String, Data)] = [
        ("bad magic", npy(header: valid, magic: Array("NUMPY!".utf8))),
        ("unknown version", npy(header: valid, version: [4, 0])),
        ("truncated data", npy(header: valid, payload: 47)),
        ("header not a dict", npy(header: "['descr', '<f4']")),
        ("unterminated dict", npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)")),
        ("missing shape", npy(header: "{'descr': '<f4', 'fortran_order': False}")),
        ("shape not integers", npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': ('a',)}")),
        ("missing fortran_order", npy(header: "{'descr': '<f4', 'shape': (3, 4)}")),
        ("header length past end", Data(NumpyArray.npyMagic + [1, 0, 0xFF, 0x7F] + Array("{}".utf8))),
        ("empty file", Data()),
    ]

    @Test("corrupted files fail with invalidNumpyFile", arguments: 0..<corrupted.count)
    func corruptedHeader(index: Int) {
        let (label, data) = Self.corrupted[index]
        do {
            _ = try NumpyArray(npy: data, file: "bad.npy")
            Issue.record("\(label): expected an error")
        } catch let KerasInteropError.invalidNumpyFile(file, _) {
            #expect(file == "bad.npy")
        } catch {
            Issue.record("\(label): unexpected error \(error)")
        }
    }

    @Test("unsupported dtypes are named in the error", arguments: ["<c8", "<U5", "<f2", "|O", "<M8"])
    func unsupportedDType(descr: String) {
        let data = Self.npy(header: "{'descr': '\(descr)', 'fortran_order': False, 'shape': (3, 4), }")
        #expect(throws: KerasInteropError.unsupportedNumpyDType(file: "bad.npy", descr: descr)) {
            try NumpyArray(npy: data, file: "bad.npy")
        }
    }
}

@Suite("NumPy .npz archives")
struct NumpyArchiveTests {
    @Test("numpy.savez_compressed (deflate, ZIP64 headers) reads in order")
    func readsCompressed() throws {
        let archive = try NumpyArchive(contentsOf: FixtureFiles.url("numpy/compressed.npz"))
        #expect(archive.entries.map(\.name) == ["arr_0", "arr_1"])
        #expect(archive.arrays[0].shape == [3, 4])
        #expect(archive.arrays[0].values == reference)
        #expect(archive.arrays[1].shape == [4, 3])
        // arr_1 is the float64 transpose of arr_0.
        for row in 0..<4 {
            for column in 0..<3 {
                #expect(archive.arrays[1].values[row * 3 + column] == reference[column * 4 + row])
            }
        }
    }

    @Test("named entries keep the archive order; arr_N entries sort by N")
    func order() throws {
        let named = try NumpyArchive(contentsOf: FixtureFiles.url("numpy/named.npz"))
        #expect(named.entries.map(\.name) == ["zeta", "alpha"])
        #expect(named["alpha"]?.shape == [3, 4])
        let twelve = try NumpyArchive(contentsOf: FixtureFiles.url("numpy/twelve.npz"))
        #expect(twelve.entries.map(\.name) == (0..<12).map { "arr_\($0)" })
        for (i, array) in twelve.arrays.enumerated() {
            #expect(array.shape == [i + 1])
            #expect(array.values.allSatisfy { $0 == Float(i) })
        }
    }

    @Test("written archives read back with the same names, shapes and values")
    func roundTrip() throws {
        let directory = try FixtureFiles.temporaryDirectory("npz")
        defer { try? FileManager.default.removeItem(at: directory) }
        let arrays = (0..<11).map { i in
            NumpyArray(shape: [i % 3 + 1, 2], values: (0..<((i % 3 + 1) * 2)).map { Float($0 + i) / 3 })
        }
        let url = directory.appendingPathComponent("w.npz")
        try NumpyArchive(arrays: arrays).write(to: url)
        try NumpyArchive(arrays: Array(arrays.prefix(2))).write(to: url) // replaces the first file
        let back = try NumpyArchive(contentsOf: url)
        #expect(back.arrays == Array(arrays.prefix(2)))
    }

    @Test("a file that is not a zip archive is refused")
    func notZip() throws {
        let url = FixtureFiles.url("numpy/f4_3x4.npy")
        #expect(throws: KerasInteropError.invalidNumpyArchive(file: url.path, reason: "not a zip archive")) {
            try NumpyArchive(contentsOf: url)
        }
        let missing = FixtureFiles.url("numpy/missing.npz")
        #expect(throws: KerasInteropError.invalidNumpyArchive(file: missing.path, reason: "the file does not exist")) {
            try NumpyArchive(contentsOf: missing)
        }
    }
}
