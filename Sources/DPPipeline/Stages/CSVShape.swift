import Foundation

/// Public facts about a CSV file that planning needs before any value is read: the column names of the header
/// row and the number of records.
///
/// The record count enters DP-SGD accounting as N in the sampling rate q = B/N; like TF Privacy and Opacus,
/// dpflow treats the size of the data set as public. No cell value is parsed or kept.
public struct CSVShape: Sendable, Equatable {
    public var columns: [String]
    public var records: Int

    /// Reads the header and counts records (newlines outside quotes; a trailing newline and blank lines do
    /// not count).
    /// - Throws: `PipelineError.unreadableFile` if the file cannot be read or has no header.
    public static func read(path: String) throws -> CSVShape {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError.unreadableFile(path: path, reason: "cannot read the CSV file")
        }
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var inQuotes = false
        var headerEnd: Int?
        var records = 0
        var recordHasContent = false
        for (i, b) in bytes.enumerated() {
            if b == UInt8(ascii: "\"") { inQuotes.toggle() }
            if !inQuotes && b == UInt8(ascii: "\n") {
                if headerEnd == nil { headerEnd = i } else if recordHasContent { records += 1 }
                recordHasContent = false
            } else if b != UInt8(ascii: "\r") {
                recordHasContent = true
            }
        }
        if headerEnd == nil {
            headerEnd = bytes.count
        } else if recordHasContent {
            records += 1
        }
        let headerBytes = bytes[0..<headerEnd!]
        guard let header = String(bytes: headerBytes, encoding: .utf8),
              !header.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw PipelineError.unreadableFile(path: path, reason: "the CSV file has no header row")
        }
        return CSVShape(columns: splitHeader(header), records: records)
    }

    static func splitHeader(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var inQuotes = false
        var chars = Array(line.trimmingCharacters(in: CharacterSet(charactersIn: "\r")))[...]
        while let c = chars.popFirst() {
            if c == "\"" {
                if inQuotes, chars.first == "\"" { current.append("\""); chars.removeFirst() } else { inQuotes.toggle() }
            } else if c == "," && !inQuotes {
                fields.append(current); current = ""
            } else {
                current.append(c)
            }
        }
        fields.append(current)
        return fields
    }
}
