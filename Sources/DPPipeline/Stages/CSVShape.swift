import Foundation
#if canImport(Glibc)
import Glibc
private let readBytes = Glibc.read
#elseif canImport(Darwin)
import Darwin
private let readBytes = Darwin.read
#endif

/// Public facts about a CSV file that planning needs before any value is read: the column names of the header
/// row and the number of records.
///
/// The file is **streamed** in fixed-size chunks: memory stays bounded (one chunk plus the header row) whatever
/// the file's size. No cell value is parsed or kept.
///
/// The record count is the realised N. Under the replace-one relation N may be treated as public (q = B/N);
/// under add/remove-one it is private and must not reach an output (the planner then uses a declared or DP
/// size). Rows that a `drop_row` policy removes while loading are still counted here: the count is of
/// records in the file, before any policy.
public struct CSVShape: Sendable, Equatable {
    public var columns: [String]
    public var records: Int

    /// The longest header row accepted (bytes); a longer first line is refused rather than buffered.
    public static let maxHeaderBytes = 64 << 20
    static let chunkSize = 1 << 20

    /// Reads the header and counts records by streaming the file once: line ends (LF, CRLF or a lone CR)
    /// outside quotes end a record; blank lines and a trailing line end do not count.
    /// - Throws: `PipelineError.unreadableFile` if the file cannot be read, has no header, has a header longer
    ///   than `maxHeaderBytes`, or ends inside a quoted field. Messages name no line and no value (the data
    ///   owner's `dpflow check` locates a bad quote).
    public static func read(path: String) throws -> CSVShape {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw PipelineError.unreadableFile(path: path, reason: "cannot read the CSV file") }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)

        var header: [UInt8] = []
        var headerDone = false
        var inQuotes = false
        var previousCR = false
        var recordHasContent = false
        var records = 0
        var first = true
        while true {
            let got = readBytes(fd, base, chunkSize)
            if got < 0 {
                if errno == EINTR { continue }
                throw PipelineError.unreadableFile(path: path, reason: "cannot read the CSV file (\(String(cString: strerror(errno))))")
            }
            if got == 0 { break }
            var start = 0
            if first {
                first = false
                if got >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { start = 3 }
            }
            var k = start
            while k < got {
                let b = base[k]
                k &+= 1
                if b == 0x22 { inQuotes.toggle() }
                if !inQuotes && (b == 0x0A || b == 0x0D) {
                    if b == 0x0A && previousCR { previousCR = false; continue }   // the LF of a CRLF
                    previousCR = b == 0x0D
                    if !headerDone { headerDone = true } else if recordHasContent { records &+= 1 }
                    recordHasContent = false
                    continue
                }
                previousCR = false
                if headerDone {
                    recordHasContent = true
                } else {
                    guard header.count < maxHeaderBytes else {
                        throw PipelineError.unreadableFile(path: path, reason:
                            "the CSV file's first line is longer than \(maxHeaderBytes >> 20) MB (not a header row?)")
                    }
                    header.append(b)
                }
            }
        }
        if inQuotes {
            throw PipelineError.unreadableFile(path: path, reason:
                "malformed CSV: a quoted field is never closed (the data owner's `dpflow check` names the line where it opens)")
        }
        if headerDone && recordHasContent { records &+= 1 }
        guard header.contains(where: { !($0 == 0x20 || $0 == 0x09) }),
              String(validating: header, as: UTF8.self) != nil else {
            throw PipelineError.unreadableFile(path: path, reason: "the CSV file has no header row")
        }
        return CSVShape(columns: splitHeader(header), records: records)
    }

    /// Splits a header line (UTF-8 bytes) into fields (RFC 4180 quoting). Linear in the line's length.
    static func splitHeader(_ line: [UInt8]) -> [String] {
        var fields: [String] = []
        var current: [UInt8] = []
        var inQuotes = false
        var k = 0
        while k < line.count {
            let b = line[k]
            k += 1
            if b == 0x22 {
                if inQuotes, k < line.count, line[k] == 0x22 { current.append(0x22); k += 1 } else { inQuotes.toggle() }
            } else if b == 0x2C && !inQuotes {
                fields.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(b)
            }
        }
        fields.append(String(decoding: current, as: UTF8.self))
        return fields
    }
}
