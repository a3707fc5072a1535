import CCSV
#if canImport(Glibc)
import Glibc
private let readFile = Glibc.read
#elseif canImport(Darwin)
import Darwin
private let readFile = Darwin.read
#endif

/// Reads a CSV file record by record as Strings (header included), through libcsv.
///
/// Slow path for tools that must look at text (`dpflow schema`); loading for training uses
/// `CSVLoader`, which never builds a String per cell.
struct CSVRecordReader {
    final class State {
        var record: [String] = []
        var handler: ([String]) -> Bool
        var stopped = false
        init(_ handler: @escaping ([String]) -> Bool) { self.handler = handler }
    }

    /// Calls `handler` with each record; it returns false to stop.
    static func read(path: String, _ handler: @escaping ([String]) -> Bool) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DataFrameError.fileUnreadable(file: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var parser = csv_parser()
        guard csv_init(&parser, UInt8(CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)) == 0 else {
            throw DataFrameError.fileUnreadable(file: path, reason: "cannot initialise the CSV parser")
        }
        defer { csv_free(&parser) }
        let state = State(handler)
        let ctx = Unmanaged.passUnretained(state).toOpaque()
        let onField: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = { p, n, c in
            let s = Unmanaged<State>.fromOpaque(c!).takeUnretainedValue()
            if s.stopped { return }
            s.record.append(p.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: n), as: UTF8.self) } ?? "")
        }
        let onRow: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, c in
            let s = Unmanaged<State>.fromOpaque(c!).takeUnretainedValue()
            if s.stopped { return }
            if !s.handler(s.record) { s.stopped = true }
            s.record.removeAll(keepingCapacity: true)
        }
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        var first = true
        var line = 1
        // Line ends: LF, CRLF or a lone CR (a CR at the end of a chunk may pair with an LF after it).
        var previousCR = false
        func lineEnds(_ bytes: ArraySlice<UInt8>) -> Int {
            var n = 0
            for b in bytes {
                if b == 0x0A { if !previousCR { n += 1 }; previousCR = false } else if b == 0x0D { n += 1; previousCR = true } else { previousCR = false }
            }
            return n
        }
        while !state.stopped {
            let got = buf.withUnsafeMutableBytes { readFile(fd, $0.baseAddress!, $0.count) }
            if got <= 0 { break }
            var start = 0
            if first { first = false; if got >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF { start = 3 } }
            let parsed = buf.withUnsafeBytes { csv_parse(&parser, $0.baseAddress! + start, got - start, onField, onRow, ctx) }
            if parsed != got - start && !state.stopped {
                line += lineEnds(buf[start..<(start + parsed)])
                throw DataFrameError.malformedCSV(file: path, line: line, reason: CSVLoader.describe(csv_error(&parser)))
            }
            line += lineEnds(buf[start..<got])
        }
        if !state.stopped && csv_fini(&parser, onField, onRow, ctx) != 0 {
            throw DataFrameError.malformedCSV(file: path, line: line, reason: CSVLoader.describe(csv_error(&parser)))
        }
    }
}
