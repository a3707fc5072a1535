import DPTestSupport
import Foundation
@testable import PrivateDataFrame
import Testing

/// The IDX (MNIST-format) reader and image frames: plain and gzipped files, every malformed
/// input as a typed error (no trap, bounded allocation), and image schemas over CSV pixel columns.
@Suite struct IDXLoadingTests {
    static let images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2,
                                  0, 64, 128, 255, 10, 20, 30, 40, 255, 255, 0, 0]
    /// `images` gzipped by Python's gzip module (mtime 0).
    static let imagesGzip: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 99, 96, 224, 96, 102, 96, 96, 0, 97, 38, 48, 118, 104,
                                      248, 207, 37, 34, 167, 241, 255, 63, 3, 3, 0, 235, 198, 105, 252, 28, 0, 0, 0]
    static let labels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 3, 1, 0, 9]
    static let image = ImageSpec(columns: "pixel_*", shape: [2, 2, 1], min: 0, max: 255)

    @Test func plainAndGzippedFilesGiveTheSameArray() throws {
        let plain = try IDXArray(data: Self.images, file: "a.idx")
        let gz = try IDXArray(data: Self.imagesGzip, file: "a.idx.gz")
        #expect(plain.dimensions == [3, 2, 2])
        #expect(plain.bytes == Array(Self.images[16...]))
        #expect(gz == plain)
    }

    static func withByte(_ bytes: [UInt8], at index: Int, _ value: UInt8) -> [UInt8] { var b = bytes; b[index] = value; return b }

    static let malformed: [(String, [UInt8])] = [
        ("empty", []),
        ("short header", [0, 0, 8]),
        ("bad magic", withByte(images, at: 0, 1)),
        ("float elements", withByte(images, at: 2, 0x0D)),
        ("rank 0", withByte(images, at: 3, 0)),
        ("rank 9", withByte(images, at: 3, 9)),
        ("ends in dimensions", Array(images[0..<10])),
        ("huge dimensions", [0, 0, 8, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255]),
        ("truncated data", Array(images.dropLast())),
        ("trailing bytes", images + [7]),
        ("truncated gzip", Array(imagesGzip.dropLast(6))),
        ("gzip cut in the deflate data", Array(imagesGzip[0..<20])),
        ("gzip with a wrong CRC", withByte(imagesGzip, at: imagesGzip.count - 8, 0)),
        ("gzip with corrupt deflate data", withByte(imagesGzip, at: 10, 0xFF)),
        ("bytes after the gzip stream", imagesGzip + [1, 2, 3]),
        ("gzip magic only", [31, 139]),
    ]

    @Test(arguments: malformed.map(\.0))
    func malformedFilesThrowTypedErrors(_ name: String) {
        let bytes = Self.malformed.first { $0.0 == name }!.1
        #expect(throws: DataFrameError.self, "\(name)") { try IDXArray(data: bytes, file: "bad.idx") }
        do { _ = try IDXArray(data: bytes, file: "bad.idx") } catch let error as DataFrameError {
            guard case .malformedIDX(let file, _) = error else { Issue.record("\(name): \(error)"); return }
            #expect(file == "bad.idx")
        } catch { Issue.record("\(name): \(error)") }
    }

    /// A tiny gzip file that claims a huge array is refused before anything that size is allocated.
    @Test func aSmallGzipCannotClaimAHugeArray() throws {
        // Header of a [100000, 1000, 1000] array (10^11 bytes) as the only content: gzip it through the plain header check.
        let header: [UInt8] = [0, 0, 8, 3, 0, 1, 134, 160, 0, 0, 3, 232, 0, 0, 3, 232]
        var limits = IDXLimits()
        limits.maximumElements = 1 << 40
        #expect(throws: DataFrameError.self) { try IDXArray(data: header, file: "big.idx", limits: limits) }
        #expect(throws: DataFrameError.self) { try IDXArray(data: header, file: "big.idx") }
    }

    /// Every committed fuzz seed (and crasher) parses or throws; none traps.
    @Test func fuzzCorpusRegression() throws {
        let folder = Fixtures.repositoryRoot.appendingPathComponent("Fuzz/Corpus/idx")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names.count >= 4)
        var parsed = 0
        for name in names {
            let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
            if (try? IDXArray(data: bytes, file: name)) != nil { parsed += 1 }
            // What the fuzz target does: the whole image load, which must throw or succeed, never trap
            // (regression-zero-dimension-then-huge: a 0 dimension once let the image size overflow downstream).
            _ = try? PrivateDataFrame.load(idxImages: folder.appendingPathComponent(name).path, labels: nil,
                                           image: ImageSpec(columns: "pixel_*", shape: [2, 2, 1], min: 0, max: 255))
        }
        #expect(parsed >= 3)   // the valid seeds
        // The crasher is refused with a typed error at the zero dimension.
        let crasher = [UInt8](try Data(contentsOf: folder.appendingPathComponent("regression-zero-dimension-then-huge")))
        #expect(throws: DataFrameError.self) { try IDXArray(data: crasher, file: "c.idx") }
    }

    @Test func imagesAndLabelsBecomeAnImageFrame() throws {
        let files = TestFiles()
        let frame = try PrivateDataFrame.load(idxImages: files.write("i.idx.gz", bytes: Self.imagesGzip),
                                              labels: files.write("l.idx", bytes: Self.labels), image: Self.image)
        #expect(frame.columnNames == ["pixel_0", "pixel_1", "pixel_2", "pixel_3", "label"])
        #expect(frame.imageColumns.count == 4)
        #expect(frame.datasetID.hasPrefix("sha256:"))
        let selected = try frame.selectImage(label: "label")
        #expect(selected.featureShape == [2, 2, 1])
        let x = try selected.encodedFeatures()
        assertClose(Array(x.values[0..<4]), [0, 64 / 255, 128 / 255, 1], rtol: 1e-6, atol: 1e-7)
        #expect(try selected.encodedLabels().values == [1, 0, 9])
        // Selecting other features drops the image shape.
        #expect(try frame.select(features: ["pixel_0"], label: "label").featureShape == nil)
    }

    @Test func shapeAndLabelProblemsAreReported() throws {
        let files = TestFiles()
        let imgs = files.write("i.idx", bytes: Self.images)
        #expect(throws: DataFrameError.self) {
            try PrivateDataFrame.load(idxImages: imgs, labels: nil, image: ImageSpec(columns: "p*", shape: [4, 1, 1], min: 0, max: 255))
        }
        #expect(throws: DataFrameError.self) {   // label 9 is not among two declared classes
            try PrivateDataFrame.load(idxImages: imgs, labels: files.write("l.idx", bytes: Self.labels), image: Self.image, classes: ["0", "1"])
        }
        #expect(throws: DataFrameError.self) {   // 2 labels for 3 images
            try PrivateDataFrame.load(idxImages: imgs, labels: files.write("l2.idx", bytes: [0, 0, 8, 1, 0, 0, 0, 2, 1, 0]), image: Self.image)
        }
        #expect(throws: DataFrameError.self) {
            try PrivateDataFrame.load(idxImages: files.path("missing.idx"), labels: nil, image: Self.image)
        }
        #expect(throws: DataFrameError.self) {
            try ImageSpec(columns: "pixel_", shape: [2, 2], min: 0, max: 1).validate()
        }
        #expect(throws: DataFrameError.self) {
            try ImageSpec(columns: "pixel_*", shape: [1 << 20, 1 << 20], min: 0, max: 1).validate()
        }
    }

    @Test func csvPixelColumnsDeclaredAsAnImage() throws {
        let files = TestFiles()
        let csv = files.write("img.csv", "label,pixel_a,pixel_b,pixel_c,pixel_d\n1,0,255,300,51\n0,1,2,3,4\n")
        let json = #"{"columns": {"label": {"type": "category", "values": ["0", "1"]}}, "image": {"columns": "pixel_*", "shape": [2, 2, 1], "min": 0, "max": 255}}"#
        let schema = try JSONDecoder().decode(Schema.self, from: Data(json.utf8))
        #expect(schema.image == Self.image)
        let frame = try PrivateDataFrame.load(csv: csv, schema: schema)
        let selected = try frame.selectImage(label: "label")
        #expect(selected.featureShape == [2, 2, 1])
        let x = try selected.encodedFeatures()
        assertClose(Array(x.values[0..<4]), [0, 1, 1, 0.2], rtol: 1e-6, atol: 1e-7)   // 300 clamped to the declared 255
        // A header with 3 matching columns for a 4-pixel shape is a schema error.
        let short = files.write("short.csv", "label,pixel_a,pixel_b,pixel_c\n1,0,255,3\n")
        #expect(throws: DataFrameError.self) { try PrivateDataFrame.load(csv: short, schema: schema) }
    }

    static let fashion = "/usr/share/datasets/fashion-mnist"

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")))
    func debianFashionMNISTTestSet() throws {
        let frame = try PrivateDataFrame.load(idxImages: "\(Self.fashion)/t10k-images-idx3-ubyte.gz",
                                              labels: "\(Self.fashion)/t10k-labels-idx1-ubyte.gz",
                                              image: ImageSpec(columns: "pixel_*", shape: [28, 28, 1], min: 0, max: 255))
        #expect(frame.rowCountForAccounting == 10_000)
        #expect(frame.columnNames.count == 785)
        #expect(try frame.selectImage(label: "label").featureShape == [28, 28, 1])
    }
}
