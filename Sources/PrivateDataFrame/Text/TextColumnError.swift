import Foundation

/// Errors of text columns and vocabularies. Messages name files, lines and declared settings; never a document's
/// text (a public vocabulary file is public, so its lines may be named).
public enum TextColumnError: Error, Sendable, Equatable {
    /// A text column or vocabulary declaration is unusable.
    case invalidSpec(String)
    /// A document is not valid UTF-8 (reported to the loader, which applies the column's `invalid` policy).
    case invalidUTF8
    /// A public vocabulary file is unusable; `line` is 1-based (0: the whole file).
    case vocabularyFile(file: String, line: Int, reason: String)
}

extension TextColumnError: LocalizedError, CustomStringConvertible {
    public var errorDescription: String? { description }

    public var description: String {
        switch self {
        case let .invalidSpec(why): return "error: text column: \(why)"
        case .invalidUTF8: return "error: text column: a value is not valid UTF-8"
        case let .vocabularyFile(f, 0, why): return "\(f): error: vocabulary file: \(why)"
        case let .vocabularyFile(f, l, why): return "\(f):\(l): error: vocabulary file: \(why)"
        }
    }
}
