import CGzip
import Foundation

/// An array read from an IDX file, the format of MNIST and Fashion-MNIST (`train-images-idx3-ubyte`,
/// gzipped or not): unsigned bytes with their dimensions, outermost (examples) first.
///
/// Parsing is defensive: every malformed, truncated or oversized input gives
/// `DataFrameError.malformedIDX`, never a trap, and memory is bounded before it is allocated —
/// by `IDXLimits.maximumElements` and, for gzip, by deflate's largest compression ratio applied to
/// the compressed size, so a tiny file cannot claim a huge array.
///
/// Internal to the data frame module: the bytes are private data and leave it only through a frame.
struct IDXArray: Sendable, Equatable {
    /// Sizes of each dimension; `dimensions[0]` is the number of items (private under add/remove).
    let dimensions: [Int]
    /// Elements in row-major order (`dimensions.reduce(1, *)` bytes).
    let bytes: [UInt8]

    /// Reads and parses an IDX file (gzip is recognised by its magic bytes).
    /// - Throws: `DataFrameError.fileUnreadable` or `.malformedIDX`, naming the file.
    init(contentsOf path: String, limits: IDXLimits = IDXLimits()) throws {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let size = (attributes?[.size] as? NSNumber)?.intValue, size > limits.maximumFileBytes {
            throw DataFrameError.malformedIDX(file: name, reason: "the file is larger than the limit of \(limits.maximumFileBytes) bytes")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataFrameError.fileUnreadable(file: name, reason: "no such file or not readable")
        }
        try self.init(data: [UInt8](data), file: name, limits: limits)
    }

    /// Parses the bytes of an IDX file (plain or gzip).
    init(data: [UInt8], file: String, limits: IDXLimits = IDXLimits()) throws {
        func fail(_ reason: String) -> DataFrameError { .malformedIDX(file: file, reason: reason) }
        guard data.count <= limits.maximumFileBytes else {
            throw fail("the file is larger than the limit of \(limits.maximumFileBytes) bytes")
        }
        if data.count >= 2 && data[0] == 0x1F && data[1] == 0x8B {
            let stream = try GzipStream(data, file: file)
            let head = try stream.read(count: 4)
            let header = try Self.header(head, file: file, limits: limits)
            let dims = try stream.read(count: 4 * header.rank)
            let dimensions = try Self.dimensions(dims, rank: header.rank, file: file, limits: limits)
            let count = dimensions.reduce(1, *)
            // Deflate expands at most ~1032:1; a larger claim cannot be honest (and is not allocated).
            guard count / 1032 <= data.count else { throw fail("the header declares more data than the compressed file can hold") }
            let body = try stream.read(count: count)
            try stream.expectEnd()
            self.dimensions = dimensions
            self.bytes = body
        } else {
            guard data.count >= 4 else { throw fail("the file is shorter than the 4-byte IDX header") }
            let header = try Self.header(Array(data[0..<4]), file: file, limits: limits)
            let headerLength = 4 + 4 * header.rank
            guard data.count >= headerLength else { throw fail("the file ends inside the dimension list") }
            let dimensions = try Self.dimensions(Array(data[4..<headerLength]), rank: header.rank, file: file, limits: limits)
            let count = dimensions.reduce(1, *)
            guard data.count - headerLength == count else {
                throw fail(data.count - headerLength < count ? "the file ends before the data the header declares"
                           : "the file has bytes after the data the header declares")
            }
            self.dimensions = dimensions
            self.bytes = Array(data[headerLength...])
        }
    }

    /// Checks the magic number `00 00 08 rank`.
    static func header(_ b: [UInt8], file: String, limits: IDXLimits) throws -> (type: UInt8, rank: Int) {
        func fail(_ reason: String) -> DataFrameError { .malformedIDX(file: file, reason: reason) }
        guard b.count == 4, b[0] == 0, b[1] == 0 else { throw fail("not an IDX file (the magic number must start with two zero bytes)") }
        guard b[2] == 0x08 else {
            throw fail("element type 0x\(String(b[2], radix: 16)) is not supported; only unsigned bytes (0x08, as in MNIST) are")
        }
        let rank = Int(b[3])
        guard rank >= 1, rank <= limits.maximumRank else {
            throw fail("\(rank) dimensions; between 1 and \(limits.maximumRank) are supported")
        }
        return (b[2], rank)
    }

    /// Big-endian 32-bit dimensions, each ≥ 1 (checked), their product within the limit.
    static func dimensions(_ b: [UInt8], rank: Int, file: String, limits: IDXLimits) throws -> [Int] {
        var dims: [Int] = []
        var product = 1
        for k in 0..<rank {
            let v = Int(b[4 * k]) << 24 | Int(b[4 * k + 1]) << 16 | Int(b[4 * k + 2]) << 8 | Int(b[4 * k + 3])
            // A zero dimension would make the product 0 and leave the later ones unbounded (their product is
            // then computed downstream, e.g. the size of one image): every dimension must be at least 1.
            guard v >= 1 else {
                throw DataFrameError.malformedIDX(file: file, reason: "dimension \(k + 1) is 0; every dimension must be at least 1")
            }
            let (p, overflow) = product.multipliedReportingOverflow(by: v)
            guard !overflow, p <= limits.maximumElements else {
                throw DataFrameError.malformedIDX(file: file, reason: "the declared array is larger than the limit of \(limits.maximumElements) elements")
            }
            product = p
            dims.append(v)
        }
        return dims
    }
}

/// Resource limits of the IDX parser (all checked before allocating).
struct IDXLimits: Sendable {
    /// Largest file read, in bytes.
    var maximumFileBytes = 1 << 31
    /// Largest number of elements (bytes) of the decoded array.
    var maximumElements = 1 << 31
    /// Largest number of dimensions.
    var maximumRank = 4
}

/// A gzip member inflated by zlib on demand, with typed errors for every failure. A class: zlib's
/// state points back at its `z_stream`, which therefore must not move.
final class GzipStream {
    private let input: [UInt8]
    private let stream: UnsafeMutablePointer<z_stream>
    private var consumed = 0
    private var ended = false
    let file: String
    /// Reading only a prefix of the file (the header): input running out is not an error.
    let allowTruncation: Bool

    init(_ data: [UInt8], file: String, allowTruncation: Bool = false) throws {
        self.input = data
        self.file = file
        self.allowTruncation = allowTruncation
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 16 + 15: a gzip wrapper (header and CRC-32/length trailer checked by zlib), 32 KiB window.
        let status = inflateInit2_(stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw DataFrameError.malformedIDX(file: file, reason: "cannot start gzip decompression")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// One `inflate` call writing at most `capacity` bytes at `destination`; returns the bytes written.
    private func step(_ destination: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        let inputLeft = min(input.count - consumed, Int(UInt32.max / 2))
        let capacity = min(capacity, Int(UInt32.max / 2))
        let (status, read, wrote) = input.withUnsafeBufferPointer { src -> (Int32, Int, Int) in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: src.baseAddress.map { $0 + consumed })
            stream.pointee.avail_in = UInt32(inputLeft)
            stream.pointee.next_out = destination
            stream.pointee.avail_out = UInt32(capacity)
            let status = inflate(stream, Z_NO_FLUSH)
            let read = inputLeft - Int(stream.pointee.avail_in)
            let wrote = capacity - Int(stream.pointee.avail_out)
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
            return (status, read, wrote)
        }
        consumed += read
        switch status {
        case Z_OK, Z_BUF_ERROR:
            if read == 0 && wrote == 0 { throw fail("the gzip stream is truncated") }
        case Z_STREAM_END:
            ended = true
            guard allowTruncation || consumed == input.count else { throw fail("the file has bytes after the gzip stream") }
        default:
            throw fail("the gzip stream is corrupt")
        }
        return wrote
    }

    /// The next `count` decompressed bytes.
    /// - Throws: `malformedIDX` when the stream is corrupt or ends first.
    func read(count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        var produced = 0
        try out.withUnsafeMutableBufferPointer { dst in
            while produced < count {
                guard !ended else { throw fail("the file ends before the data the header declares") }
                produced += try step(dst.baseAddress! + produced, capacity: count - produced)
            }
        }
        return out
    }

    /// Checks that the stream holds nothing after the declared data and that its trailer (CRC-32,
    /// length) is valid.
    func expectEnd() throws {
        var probe: UInt8 = 0
        while !ended {
            if try step(&probe, capacity: 1) > 0 { throw fail("the file has bytes after the data the header declares") }
        }
    }

    private func fail(_ reason: String) -> DataFrameError { .malformedIDX(file: file, reason: reason) }
}
