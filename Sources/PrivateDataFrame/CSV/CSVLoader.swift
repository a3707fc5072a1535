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
/// ends, and CR-only line ends (old Mac files); an optional UTF-8 byte-order mark; a mandatory
/// header row. libcsv runs in strict mode
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
    static func load(path: String, schema: Schema, displayName: String? = nil, hashing: Bool,
                     collector: CSVProblemCollector? = nil) throws -> Loaded {
        let name = displayName ?? path
        try schema.validate()
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DataFrameError.fileUnreadable(file: name, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        let size = fstat(fd, &st) == 0 ? Int(st.st_size) : 0

        let state = CSVLoadState(file: name, schema: schema, fileSize: size, collector: collector)
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

        // The line on which the quoted field being parsed opened (for unterminated quotes).
        var quoteOpenedAt = 0
        var segmentStartedQuoted = false
        func inQuotedField() -> Bool { parser.quoted != 0 && parser.pstate == 2 }   // FIELD_BEGUN
        func malformed(atEnd: Bool) -> DataFrameError {
            let open = atEnd ? parser.quoted != 0 && parser.pstate >= 2 : segmentStartedQuoted
            if open && quoteOpenedAt > 0 && quoteOpenedAt < state.line {
                return .malformedCSV(file: name, line: quoteOpenedAt, reason: atEnd
                    ? "the quoted field that opens on this line is never closed (the file ends inside it)"
                    : "the quoted field that opens on this line is not closed properly (a stray quote after it; "
                        + "parsing failed at line \(state.line))")
            }
            return .malformedCSV(file: name, line: state.line, reason: Self.describe(csv_error(&parser)))
        }
        func parse(_ p: UnsafeMutablePointer<UInt8>, _ n: Int) throws {
            segmentStartedQuoted = inQuotedField()
            if csv_parse(&parser, p, n, onField, onRow, context) != n {
                if let e = state.error { throw e }
                throw malformed(atEnd: false)
            }
            if !segmentStartedQuoted && inQuotedField() { quoteOpenedAt = hot.pointee.line }
        }

        // Line ends: LF, CRLF or a lone CR. `pendingCR`: the previous segment ended with CR, so
        // an LF that follows at once belongs to the same line end.
        var pendingCR = false
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
            // Feed one physical line at a time so that every callback knows its line number. The
            // next LF and the next CR are each searched once per chunk position (linear).
            var nextLF = -1, nextCR = -1
            while start < got {
                if pendingCR && base[start] == 0x0A {
                    try parse(base + start, 1)
                    start &+= 1
                    pendingCR = false
                    continue
                }
                if nextLF < start {
                    nextLF = memchr(base + start, 0x0A, got &- start).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? got
                }
                if nextCR < start {
                    nextCR = memchr(base + start, 0x0D, got &- start).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? got
                }
                let end = min(nextLF, nextCR)
                if end < got {
                    let len = end &- start &+ 1
                    try parse(base + start, len)
                    if !hot.pointee.inHeader { hot.pointee.dataBytesSeen &+= len }
                    hot.pointee.line &+= 1
                    pendingCR = base[end] == 0x0D
                    start &+= len
                } else {
                    let remaining = got &- start
                    try parse(base + start, remaining)
                    if !hot.pointee.inHeader { hot.pointee.dataBytesSeen &+= remaining }
                    pendingCR = false
                    start = got
                }
                if state.error != nil { break }
            }
            if let e = state.error { throw e }
        }
        guard sawContent else { throw DataFrameError.emptyFile(file: name) }
        if csv_fini(&parser, onField, onRow, context) != 0 {
            if let e = state.error { throw e }
            throw malformed(atEnd: true)
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
