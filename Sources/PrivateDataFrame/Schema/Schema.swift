/// The public metadata of a data set: one declaration per column, plus a `default` declaration
/// for every column not listed.
///
/// A schema is **declared by the data owner, never inferred from the data**. Bounds and category
/// lists fix the scaling used for training and the sensitivity of every DP release; anything
/// computed from the file would leak it. (`dpflow schema data.csv` can *propose* a schema for the
/// owner; that proposal reads the data and must not be shared.)
///
/// YAML/JSON form:
/// ```yaml
/// default: {type: number, min: 0, max: 16}
/// columns:
///   target: {type: category, values: ["0", "1"]}
///   age:    {type: integer, min: 0, max: 120, missing: drop_row}
/// ```
public struct Schema: Sendable, Equatable, Hashable {
    /// Declarations by column name.
    public var columns: [String: ColumnSpec]
    /// The declaration applied to every column of the file that `columns` does not list; `nil`
    /// makes such a column an error.
    public var defaultColumn: ColumnSpec?
    /// What to do with a row whose field count differs from the header's.
    public var raggedRows: RaggedRowPolicy
    /// An image spread over pixel columns (`image: {columns: "pixel_*", shape: [28, 28, 1], min: 0, max: 255}`):
    /// the matching columns are number columns in the declared bounds, and the frame knows their shape.
    public var image: ImageSpec?

    /// - Parameters:
    ///   - columns: declarations by column name.
    ///   - default: the declaration for every other column of the file (`nil`: they are errors).
    ///   - raggedRows: policy for rows with too few or too many fields (`.error` by default).
    public init(columns: [String: ColumnSpec] = [:], default defaultColumn: ColumnSpec? = nil,
                raggedRows: RaggedRowPolicy = .error, image: ImageSpec? = nil) {
        self.columns = columns
        self.defaultColumn = defaultColumn
        self.raggedRows = raggedRows
        self.image = image
    }

    /// True when no value-level problem can fail a load: every column's missing, invalid and
    /// out-of-bounds policies and the ragged-row policy are data-independent (clamp, default or
    /// drop the row). Pipelines' schemas always are.
    public var isDataIndependent: Bool {
        guard raggedRows != .error else { return false }
        let specs = Array(columns.values) + (defaultColumn.map { [$0] } ?? []) + (image.map { [$0.columnSpec] } ?? [])
        return specs.allSatisfy { $0.kind == .ignore || ($0.missing != .error && $0.invalid != .error && $0.outOfBounds != .error) }
    }

    /// The declaration that applies to `name` (its own, or the default).
    public func spec(for name: String) -> ColumnSpec? {
        if let own = columns[name] { return own }
        if let image, image.matches(name) { return image.columnSpec }
        return defaultColumn
    }

    /// Checks that every declaration is usable: finite bounds with `min < max`, non-empty and
    /// distinct category values, fill values of the right type and inside the bounds.
    /// - Throws: `DataFrameError.invalidSchema` naming the column.
    public func validate() throws {
        for name in columns.keys.sorted() { try Self.validate(columns[name]!, name: name) }
        if let d = defaultColumn { try Self.validate(d, name: "default") }
        try image?.validate()
    }

    static func validate(_ spec: ColumnSpec, name: String) throws {
        func fail(_ why: String) -> DataFrameError { .invalidSchema(column: name, reason: why) }
        switch spec.kind {
        case let .number(lo, hi), let .integer(lo, hi):
            guard lo.isFinite, hi.isFinite else { throw fail("min and max must be finite numbers") }
            guard lo < hi else { throw fail("min must be smaller than max") }
        case let .category(values):
            guard !values.isEmpty else { throw fail("a category column needs at least one value") }
            guard Set(values).count == values.count else { throw fail("category values must be distinct") }
            guard values.count < Int(Int32.max) else { throw fail("too many category values") }
        case .boolean, .ignore: break
        case .text:
            for policy in [spec.missing, spec.invalid] {
                if case .fill = policy {
                    throw fail("a text column takes no default value (an empty cell is an empty document; a value that is not UTF-8 can be dropped with invalid: drop_row)")
                }
            }
        }
        for (policy, what) in [(spec.missing, "missing-value"), (spec.invalid, "invalid-value")] {
            guard case let .fill(text) = policy, spec.kind != .ignore else { continue }
            if FieldDecoder.decodeDeclared(text, kind: spec.kind) == nil {
                // The fill value is schema (public), so it may be named.
                throw fail("\(what) default '\(text)' is not a valid \(spec.kind.typeName)"
                           + (spec.kind.bounds.map { " in [\($0.lowerBound), \($0.upperBound)]" } ?? "")
                           + (spec.kind.categories.map { " (declared values: \($0.joined(separator: ", ")))" } ?? ""))
            }
        }
    }
}

extension Schema: Codable {
    enum CodingKeys: String, CodingKey {
        case columns, `default`
        case raggedRows = "ragged_rows"
        case image
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        columns = try c.decodeIfPresent([String: ColumnSpec].self, forKey: .columns) ?? [:]
        defaultColumn = try c.decodeIfPresent(ColumnSpec.self, forKey: .default)
        raggedRows = try c.decodeIfPresent(RaggedRowPolicy.self, forKey: .raggedRows) ?? .error
        image = try c.decodeIfPresent(ImageSpec.self, forKey: .image)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(columns, forKey: .columns)
        try c.encodeIfPresent(defaultColumn, forKey: .default)
        if raggedRows != .error { try c.encode(raggedRows, forKey: .raggedRows) }
        try c.encodeIfPresent(image, forKey: .image)
    }
}
