/// The public declaration of one column: its type with bounds or values, and its policies.
///
/// In YAML or JSON (keys in snake case):
/// ```yaml
/// age:    {type: integer, min: 0, max: 120, missing: drop_row, invalid: drop_row, out_of_bounds: clamp}
/// income: {type: number, min: 0, max: 1000000, missing: {default: 0}}
/// color:  {type: category, values: [red, green, blue]}
/// smoker: {type: boolean}
/// id:     {type: ignore}
/// ```
public struct ColumnSpec: Sendable, Equatable, Hashable {
    /// The type, with its declared bounds or values.
    public var kind: ColumnKind
    /// What to do with an empty cell.
    public var missing: MissingValuePolicy
    /// What to do with a number outside the declared bounds.
    public var outOfBounds: OutOfBoundsPolicy
    /// What to do with a cell that is not a value of the type (not a number, an integer, a
    /// boolean, or a declared category).
    public var invalid: InvalidValuePolicy

    /// Declares a column.
    /// - Parameters:
    ///   - kind: type and public bounds/values (sensitivity of releases derives from them).
    ///   - missing: empty-cell policy; `.error` by default.
    ///   - outOfBounds: `.clamp` by default.
    ///   - invalid: policy for a cell that is not a value of the type; `.error` by default.
    public init(_ kind: ColumnKind, missing: MissingValuePolicy = .error, outOfBounds: OutOfBoundsPolicy = .clamp,
                invalid: InvalidValuePolicy = .error) {
        self.kind = kind
        self.missing = missing
        self.outOfBounds = outOfBounds
        self.invalid = invalid
    }

    /// `number` in `[min, max]`.
    public static func number(min: Double, max: Double, missing: MissingValuePolicy = .error,
                              outOfBounds: OutOfBoundsPolicy = .clamp, invalid: InvalidValuePolicy = .error) -> ColumnSpec {
        ColumnSpec(.number(min: min, max: max), missing: missing, outOfBounds: outOfBounds, invalid: invalid)
    }
    /// `integer` in `[min, max]`.
    public static func integer(min: Double, max: Double, missing: MissingValuePolicy = .error,
                               outOfBounds: OutOfBoundsPolicy = .clamp, invalid: InvalidValuePolicy = .error) -> ColumnSpec {
        ColumnSpec(.integer(min: min, max: max), missing: missing, outOfBounds: outOfBounds, invalid: invalid)
    }
    /// `category` with the declared `values` (their order defines class indices).
    public static func category(_ values: [String], missing: MissingValuePolicy = .error,
                                invalid: InvalidValuePolicy = .error) -> ColumnSpec {
        ColumnSpec(.category(values: values), missing: missing, invalid: invalid)
    }
    /// `boolean`.
    public static func boolean(missing: MissingValuePolicy = .error, invalid: InvalidValuePolicy = .error) -> ColumnSpec {
        ColumnSpec(.boolean, missing: missing, invalid: invalid)
    }
    /// A column that is skipped.
    public static let ignore = ColumnSpec(.ignore)
}

extension ColumnSpec: Codable {
    enum CodingKeys: String, CodingKey {
        case type, min, max, values, missing
        case outOfBounds = "out_of_bounds"
        case invalid
        case maxLength = "max_length", lowercase, tokens
    }
    enum MissingKeys: String, CodingKey { case `default` }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "number", "integer":
            let lo = try c.decode(Double.self, forKey: .min)
            let hi = try c.decode(Double.self, forKey: .max)
            kind = type == "number" ? .number(min: lo, max: hi) : .integer(min: lo, max: hi)
        case "category":
            kind = .category(values: try c.decode([String].self, forKey: .values))
        case "boolean": kind = .boolean
        case "ignore": kind = .ignore
        case "text":
            let length = try c.decode(Int.self, forKey: .maxLength)
            let lowercase = try c.decodeIfPresent(Bool.self, forKey: .lowercase) ?? true
            let tokens = try c.decodeIfPresent(TextTokenUnit.self, forKey: .tokens) ?? .words
            do { kind = .text(try TextColumnSpec(maxLength: length, lowercase: lowercase, tokens: tokens)) }
            catch { throw DecodingError.dataCorruptedError(forKey: .maxLength, in: c, debugDescription: "\(error)") }
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription:
                "unknown column type '\(type)'; expected number, integer, category, boolean, text or ignore")
        }
        outOfBounds = try c.decodeIfPresent(OutOfBoundsPolicy.self, forKey: .outOfBounds) ?? .clamp
        missing = try Self.decodePolicy(c, .missing)
        invalid = try Self.decodePolicy(c, .invalid)
    }

    static func decodePolicy(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> CellPolicy {
        if !c.contains(key) { return .error }
        if let word = try? c.decode(String.self, forKey: key) {
            switch word {
            case "error": return .error
            case "drop_row": return .dropRow
            default:
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription:
                    "\(key.stringValue) must be error, drop_row or {default: VALUE}")
            }
        }
        let m = try c.nestedContainer(keyedBy: MissingKeys.self, forKey: key)
        if let s = try? m.decode(String.self, forKey: .default) { return .fill(s) }
        if let b = try? m.decode(Bool.self, forKey: .default) { return .fill(b ? "true" : "false") }
        return .fill(String(try m.decode(Double.self, forKey: .default)))
    }

    static func encodePolicy(_ policy: CellPolicy, _ c: inout KeyedEncodingContainer<CodingKeys>, _ key: CodingKeys) throws {
        switch policy {
        case .error: try c.encode("error", forKey: key)
        case .dropRow: try c.encode("drop_row", forKey: key)
        case let .fill(v):
            var m = c.nestedContainer(keyedBy: MissingKeys.self, forKey: key)
            try m.encode(v, forKey: .default)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind.typeName, forKey: .type)
        switch kind {
        case let .number(lo, hi), let .integer(lo, hi):
            try c.encode(lo, forKey: .min); try c.encode(hi, forKey: .max)
        case let .category(values): try c.encode(values, forKey: .values)
        case let .text(t):
            try c.encode(t.maxLength, forKey: .maxLength); try c.encode(t.lowercase, forKey: .lowercase)
            try c.encode(t.tokens, forKey: .tokens)
        case .boolean, .ignore: break
        }
        if kind.isNumeric, kind != .boolean { try c.encode(outOfBounds, forKey: .outOfBounds) }
        try Self.encodePolicy(missing, &c, .missing)
        if invalid != .error { try Self.encodePolicy(invalid, &c, .invalid) }
    }
}
