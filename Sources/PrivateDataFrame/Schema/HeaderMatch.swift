#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a CSV header row fails to match a schema: a structural problem, found before any data
/// value is read.
///
/// Header cells that the schema does not declare may be data (a file without a header row has a
/// data row there), so a message for the pipeline author (`authorMessage`) never echoes them and
/// never suggests one; `undeclared` keeps them for the owner's own tools (`dpflow check`).
public enum HeaderMismatch: Sendable, Equatable {
    /// A header cell is empty (1-based position).
    case emptyName(position: Int)
    /// The first row names none of the declared columns, or an undeclared cell is a number: most
    /// likely there is no header row.
    case noHeader
    /// Header cells the schema does not declare (and there is no `default`). Operator-only text.
    case undeclared([String])
    /// A declared column appears more than once.
    case duplicate(String)
    /// Declared columns the header lacks (sorted).
    case missing([String])
    /// The header has `found` columns matching the image pattern, the declared shape needs `expected`.
    case imageColumns(pattern: String, expected: Int, found: Int)

    /// A message for the pipeline author: names no undeclared header cell and no data.
    public var authorMessage: String {
        switch self {
        case let .emptyName(position): return "column \(position) of the CSV header has an empty name"
        case .noHeader:
            return "the CSV's first row does not name the declared columns (missing header row?); its cells are not shown, "
                + "they may be data"
        case let .undeclared(names):
            return "the CSV header has \(names.count) column\(names.count == 1 ? "" : "s") that the schema does not declare "
                + "(not shown: header cells that are not declared may be data; `dpflow check` names them for the data owner); "
                + "declare every column (type: ignore to skip one) or add a 'default:' entry"
        case let .duplicate(name): return "column '\(name)' appears more than once in the CSV header"
        case let .imageColumns(pattern, expected, found):
            return "the image shape needs \(expected) pixel columns matching '\(pattern)', the CSV header has \(found)"
        case let .missing(names):
            return "the schema declares column\(names.count == 1 ? "" : "s") \(names.prefix(5).map { "'\($0)'" }.joined(separator: ", "))"
                + "\(names.count > 5 ? " and \(names.count - 5) more" : "") that the CSV header does not have"
        }
    }
}

extension Schema {
    /// Checks a header row against the declaration. Linear in the number of columns.
    /// - Returns: the first mismatch, or nil when every header cell is declared (or covered by
    ///   `default`) exactly once and every declared column is present.
    public func headerMismatch(_ header: [String]) -> HeaderMismatch? {
        if let i = header.firstIndex(where: \.isEmpty) { return .emptyName(position: i + 1) }
        let declared: (String) -> Bool = { columns[$0] != nil || image?.matches($0) == true }
        if (!columns.isEmpty || image != nil) && !header.contains(where: declared) { return .noHeader }
        let undeclared = header.filter { !declared($0) }
        if undeclared.contains(where: Self.looksLikeNumber) { return .noHeader }
        if defaultColumn == nil && !undeclared.isEmpty { return .undeclared(undeclared) }
        var seen = Set<String>()
        seen.reserveCapacity(header.count)
        for name in header where !seen.insert(name).inserted { return .duplicate(name) }
        let missing = columns.keys.filter { !seen.contains($0) }.sorted()
        if !missing.isEmpty { return .missing(missing) }
        if let image {
            let found = header.filter { columns[$0] == nil && image.matches($0) }.count
            if found != image.pixelCount { return .imageColumns(pattern: image.columns, expected: image.pixelCount, found: found) }
        }
        return nil
    }

    /// True when a header cell parses as a number: a data row, not a column name.
    static func looksLikeNumber(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == 0x2D || first == 0x2B || first == 0x2E || (first >= 0x30 && first <= 0x39) else {
            return false
        }
        var bytes = Array(name.utf8)
        let n = bytes.count
        bytes.append(0)
        return bytes.withUnsafeBufferPointer { FieldDecoder.parseNumber($0.baseAddress!, n) } != nil
    }
}
