/// The declared type of a column, with its public bounds or values.
///
/// Bounds and category lists are **public metadata**: they come from the data owner's domain
/// knowledge, never from the file. They fix the sensitivity of every DP release and the scaling
/// used for training, so they must not be computed from the data.
public enum ColumnKind: Sendable, Equatable, Hashable {
    /// A real number in `[min, max]` (stored as Float32).
    case number(min: Double, max: Double)
    /// An integer in `[min, max]` (stored as Float32; exact up to 2^24).
    case integer(min: Double, max: Double)
    /// One of a declared list of values (stored as the index into `values`).
    case category(values: [String])
    /// `true`/`false` (also accepted: `1`/`0`, `yes`/`no`, `t`/`f`, any case); stored as 1/0.
    case boolean
    /// A column present in the file that is skipped while loading (never read).
    case ignore
    /// Free text, stored as its tokens (at most `maxLength` per row); see `TextColumnSpec`.
    case text(TextColumnSpec)

    /// The declared numeric range, for number, integer and boolean columns.
    public var bounds: ClosedRange<Double>? {
        switch self {
        case let .number(lo, hi), let .integer(lo, hi): return lo...hi
        case .boolean: return 0...1
        case .category, .ignore, .text: return nil
        }
    }

    /// The declared text settings, for text columns.
    public var text: TextColumnSpec? {
        if case let .text(spec) = self { return spec }
        return nil
    }

    /// The declared category values, for category columns.
    public var categories: [String]? {
        if case let .category(values) = self { return values }
        return nil
    }

    /// The YAML/JSON type name (`number`, `integer`, `category`, `boolean`, `ignore`).
    public var typeName: String {
        switch self {
        case .number: return "number"
        case .integer: return "integer"
        case .category: return "category"
        case .boolean: return "boolean"
        case .ignore: return "ignore"
        case .text: return "text"
        }
    }

    var isNumeric: Bool {
        switch self {
        case .number, .integer, .boolean: return true
        case .category, .ignore, .text: return false
        }
    }
}

extension ColumnKind: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .number(lo, hi): return "number[\(lo), \(hi)]"
        case let .integer(lo, hi): return "integer[\(lo), \(hi)]"
        case let .category(values): return "category{\(values.joined(separator: ", "))}"
        case .boolean: return "boolean"
        case .ignore: return "ignore"
        case let .text(t): return "text[max_length \(t.maxLength), \(t.tokens.rawValue)\(t.lowercase ? ", lowercase" : "")]"
        }
    }
}
