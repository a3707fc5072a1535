import CCSV
import Crypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams a CSV file through libcsv into columnar storage.
///
/// RFC 4180: quoted fields with embedded commas, newlines and doubled quotes; CRLF or LF line
/// ends; an optional UTF-8 byte-order mark; a mandatory header row. libcsv runs in strict mode
/// (`CSV_STRICT | CSV_STRICT_FINI`), so a stray quote is an error rather than a silent guess, and
/// with `CSV_APPEND_NULL` so numbers can be parsed in place from the parser's buffer: the numeric
/// path allocates nothing per cell. The file is fed to the parser one physical line at a time so
/// errors can name the line.
struct CSVLoader {
    /// The result of loading: columns, row count and the SHA-256 of the file's bytes (if asked).
    struct Loaded {
        var columns: [FrameColumn]
        var rowCount: Int
        var sha256: String?
    }

    static let chunkSize = 1 << 20

    /// Loads `path` against `schema`.
    /// - Parameters:
    ///   - displayName: how errors name the file (defaults to the path).
    ///   - hashing: compute the SHA-256 of the file while streaming it (the ledger's dataset id).
    static func load(path: String, schema: Schema, displayName: String? = nil, hashing: Bool) throws -> Loaded {
        let name = displayName ?? path
        try schema.validate()
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DataFrameError.fileUnreadable(file: name, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        let size = fstat(fd, &st) == 0 ? Int(st.st_size) : 0

        let state = CSVLoadState(file: name, schema: schema, fileSize: size)
        var parser = csv_parser()
        guard csv_init(&parser, UInt8(CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)) == 0 else {
            throw DataFrameError.fileUnreadable(file: name, reason: "cannot initialise the CSV parser")
        }
        defer { csv_free(&parser) }
        var hasher = hashing ? SHA256() : nil
        let hot = state.hot
        let context = UnsafeMutableRawPointer(hot)

        let onField: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = { p, n, ctx in
            CSVLoadState.field(ctx.unsafelyUnwrapped.assumingMemoryBound(to: CSVHotState.self),
                               p.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) }, n)
        }
        let onRow: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, ctx in
            CSVLoadState.endOfRow(ctx.unsafelyUnwrapped.assumingMemoryBound(to: CSVHotState.self))
        }

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var first = true
        var sawContent = false
        var totalBytes = 0

        func parse(_ p: UnsafeMutablePointer<UInt8>, _ n: Int) throws {
            if csv_parse(&parser, p, n, onField, onRow, context) != n {
                if let e = state.error { throw e }
                throw DataFrameError.malformedCSV(file: name, line: state.line, reason: Self.describe(csv_error(&parser)))
            }
        }

        while true {
            let got = read(fd, base, chunkSize)
            if got < 0 {
                if errno == EINTR { continue }
                throw DataFrameError.fileUnreadable(file: name, reason: String(cString: strerror(errno)))
            }
            if got == 0 { break }
            hasher?.update(bufferPointer: UnsafeRawBufferPointer(start: base, count: got))
            totalBytes &+= got
            var start = 0
            if first {
                first = false
                if got >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { start = 3 }
            }
            if !sawContent {
                for k in start..<got where !(base[k] == 0x20 || base[k] == 0x09 || base[k] == 0x0A || base[k] == 0x0D) {
                    sawContent = true; break
                }
            }
            // Feed one physical line at a time so that every callback knows its line number.
            while start < got {
                let remaining = got &- start
                if let nl = memchr(base + start, 0x0A, remaining) {
                    let len = base.distance(to: nl.assumingMemoryBound(to: UInt8.self)) &- start &+ 1
                    try parse(base + start, len)
                    if !hot.pointee.inHeader { hot.pointee.dataBytesSeen &+= len }
                    hot.pointee.line &+= 1
                    start &+= len
                } else {
                    try parse(base + start, remaining)
                    if !hot.pointee.inHeader { hot.pointee.dataBytesSeen &+= remaining }
                    start = got
                }
                if state.error != nil { break }
            }
            if let e = state.error { throw e }
        }
        guard sawContent else { throw DataFrameError.emptyFile(file: name) }
        if csv_fini(&parser, onField, onRow, context) != 0 {
            if let e = state.error { throw e }
            throw DataFrameError.malformedCSV(file: name, line: state.line, reason: Self.describe(csv_error(&parser)))
        }
        if let e = state.error { throw e }
        if state.inHeader { throw DataFrameError.emptyFile(file: name) }
        let digest = hasher.map { h in h.finalize().map { b -> String in let s = String(b, radix: 16); return b < 16 ? "0" + s : s }.joined() }
        return Loaded(columns: state.takeColumns(), rowCount: state.rows, sha256: digest)
    }

    static func describe(_ code: Int32) -> String {
        switch code {
        case Int32(CSV_EPARSE): return "a quote is not where RFC 4180 allows one (unterminated or stray quote)"
        case Int32(CSV_ENOMEM): return "out of memory"
        case Int32(CSV_ETOOBIG): return "field too large"
        default: return "parser error \(code)"
        }
    }
}
