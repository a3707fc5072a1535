import Foundation

extension NumpyArray {
    /// The six bytes every `.npy` file starts with.
    static let npyMagic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59] // "\x93NUMPY"

    /// Reads an array from the bytes of a `.npy` file (format versions 1.0, 2.0 and 3.0).
    ///
    /// Accepted dtypes: float32/float64, signed and unsigned integers of 1–8 bytes and bool, in
    /// either byte order; all are converted to Float32. Only C order is accepted.
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - file: the name used in error messages (a path, or `archive.npz:arr_0.npy`).
    /// - Throws: `KerasInteropError.invalidNumpyFile`, `.unsupportedNumpyDType`,
    ///   `.fortranOrderNotSupported`.
    public init(npy data: Data, file: String) throws {
        let bytes = [UInt8](data)
        func invalid(_ reason: String) -> KerasInteropError { .invalidNumpyFile(file: file, reason: reason) }

        guard bytes.count >= 10, Array(bytes[0..<6]) == Self.npyMagic else {
            throw invalid("missing the \\x93NUMPY magic string")
        }
        let major = bytes[6], minor = bytes[7]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw invalid("truncated header length") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw invalid("format version \(major).\(minor) is not supported (1.0, 2.0, 3.0 are)")
        }
        guard minor == 0 else { throw invalid("format version \(major).\(minor) is not supported (1.0, 2.0, 3.0 are)") }
        let dataStart = headerStart + headerLength
        guard headerLength > 0, dataStart <= bytes.count else {
            throw invalid("header length \(headerLength) runs past the end of the file (\(bytes.count) bytes)")
        }
        let headerBytes = bytes[headerStart..<dataStart]
        let headerText: String
        if major == 3 {
            guard let text = String(bytes: headerBytes, encoding: .utf8) else { throw invalid("header is not UTF-8") }
            headerText = text
        } else {
            headerText = String(headerBytes.map { Character(Unicode.Scalar($0)) }) // latin-1
        }

        let header: PythonLiteral
        do {
            header = try PythonLiteral.parse(headerText)
        } catch let failure as PythonLiteralParser.Failure {
            throw invalid("header dictionary is malformed at offset \(failure.offset): \(failure.reason)")
        }
        guard case .dictionary = header else { throw invalid("header is not a dictionary") }
        guard case let .string(descr)? = header["descr"] else {
            if header["descr"] != nil { throw KerasInteropError.unsupportedNumpyDType(file: file, descr: "structured") }
            throw invalid("header has no 'descr'")
        }
        guard case let .bool(fortranOrder)? = header["fortran_order"] else {
            throw invalid("header has no boolean 'fortran_order'")
        }
        guard case let .tuple(dimensions)? = header["shape"] else { throw invalid("header has no 'shape' tuple") }
        var shape: [Int] = []
        for dimension in dimensions {
            guard case let .int(size) = dimension, size >= 0 else { throw invalid("shape has a non-integer or negative dimension") }
            shape.append(size)
        }
        if fortranOrder && shape.filter({ $0 > 1 }).count > 1 {
            throw KerasInteropError.fortranOrderNotSupported(file: file)
        }
        let dtype = try NumpyDType(descr: descr, file: file)

        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw invalid("shape \(shape) is too large") }
            count = product
        }
        let payload = bytes.count - dataStart
        let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.size)
        guard !overflow, payload >= needed else {
            throw invalid("shape \(shape) of dtype '\(descr)' needs \(needed) bytes of data, the file has \(payload)")
        }
        let values = bytes.withUnsafeBytes { raw in
            dtype.decode(UnsafeRawBufferPointer(rebasing: raw[dataStart..<(dataStart + needed)]), count: count)
        }
        self.init(shape: shape, values: values)
    }

    /// Reads the `.npy` file at `url`.
    /// - Throws: `KerasInteropError` when the file is missing or not a readable array.
    public init(contentsOfNPY url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw KerasInteropError.invalidNumpyFile(file: url.path, reason: "cannot read the file")
        }
        try self.init(npy: data, file: url.path)
    }

    /// The bytes of a `.npy` file (format 1.0, dtype `<f4`, C order) holding this array, as
    /// `numpy.save` writes it: the header is padded with spaces to a multiple of 64 bytes.
    public func npyData() -> Data {
        let dimensions = shape.map(String.init)
        let shapeText = shape.count == 1 ? "(\(dimensions[0]),)" : "(" + dimensions.joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = Self.npyMagic.count + 2 + 2 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data(Self.npyMagic + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBufferPointer { buffer in
            for value in buffer {
                let bits = value.bitPattern.littleEndian
                withUnsafeBytes(of: bits) { data.append(contentsOf: $0) }
            }
        }
        return data
    }
}
