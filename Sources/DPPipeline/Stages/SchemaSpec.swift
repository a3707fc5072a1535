/// The public schema written in a `load` stage: per column its type and declared bounds or values.
/// It is public metadata chosen by the data owner, never inferred from the data.
public struct SchemaSpec: Sendable {
    /// One column's declaration.
    public struct Column: Sendable {
        public enum Kind: String, Sendable, CaseIterable { case number, integer, category, boolean }
        public var kind: Kind
        /// Declared public bounds (number, integer).
        public var min: Double?
        public var max: Double?
        /// Declared category values, as written.
        public var values: [String]
        /// `missing: drop_row` or `missing: {default: x}`; nil means missing values are errors.
        public var missingDefault: String?
        public var dropRowsWithMissing: Bool
        /// `out_of_bounds: clamp|error` (default clamp).
        public var clampOutOfBounds: Bool
        public var position: SourcePosition
    }

    /// Declared columns by name, in file order.
    public var columns: [(name: String, column: Column)]
    /// The `default:` declaration for columns not listed.
    public var defaultColumn: Column?
    public var position: SourcePosition

    public func column(named name: String) -> Column? {
        columns.first { $0.name == name }?.column ?? defaultColumn
    }

    static func decode(_ value: SpecValue, diagnostics: inout DiagnosticCollector) -> SchemaSpec? {
        guard let entries = value.mappingEntries else {
            diagnostics.error(value.position, "'\(value.path)' must be a mapping from column names to declarations, found \(value.typeName)")
            return nil
        }
        var spec = SchemaSpec(columns: [], defaultColumn: nil, position: value.position)
        var ok = true
        for entry in entries {
            guard let column = decodeColumn(entry.value, diagnostics: &diagnostics) else { ok = false; continue }
            if entry.key == "default" { spec.defaultColumn = column } else { spec.columns.append((entry.key, column)) }
        }
        if spec.columns.isEmpty && spec.defaultColumn == nil {
            diagnostics.error(value.position, "'\(value.path)' declares no columns")
            ok = false
        }
        return ok ? spec : nil
    }

    static func decodeColumn(_ value: SpecValue, diagnostics: inout DiagnosticCollector) -> Column? {
        guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
        let errorsBefore = diagnostics.diagnostics.count
        let kindName = r.choice("type", Column.Kind.allCases.map(\.rawValue), required: true, diagnostics: &diagnostics)
        let kind = kindName.flatMap(Column.Kind.init(rawValue:))
        let minValue = r.optional("min"), maxValue = r.optional("max")
        let valuesValue = r.optional("values")
        var column = Column(kind: kind ?? .number, min: nil, max: nil, values: [], missingDefault: nil,
                            dropRowsWithMissing: false, clampOutOfBounds: true, position: value.position)
        if let minValue { column.min = SpecMappingReader.number(minValue, diagnostics: &diagnostics) }
        if let maxValue { column.max = SpecMappingReader.number(maxValue, diagnostics: &diagnostics) }
        if let valuesValue { column.values = SpecMappingReader.strings(valuesValue, diagnostics: &diagnostics) ?? [] }
        if let missing = r.optional("missing") {
            if missing.stringValue == "drop_row" {
                column.dropRowsWithMissing = true
            } else if var m = SpecMappingReader(missing, what: "'\(missing.path)' (drop_row or {default: value})", diagnostics: &diagnostics) {
                column.missingDefault = m.string("default", required: true, diagnostics: &diagnostics)
                m.finish(diagnostics: &diagnostics)
            }
        }
        if let policy = r.choice("out_of_bounds", ["clamp", "error"], diagnostics: &diagnostics) {
            column.clampOutOfBounds = policy == "clamp"
        }
        r.finish(diagnostics: &diagnostics)
        switch kind {
        case .number?, .integer?:
            if minValue == nil || maxValue == nil {
                diagnostics.error(value.position, "'\(value.path)' (\(kind!.rawValue)) needs public bounds 'min' and 'max'")
            } else if let lo = column.min, let hi = column.max, !(lo < hi) {
                diagnostics.error(maxValue!.position, "'\(value.path).max' must be greater than 'min'")
            }
            if let valuesValue { diagnostics.error(valuesValue.position, "'values' applies to category columns only") }
        case .category?:
            if valuesValue == nil {
                diagnostics.error(value.position, "'\(value.path)' (category) needs its public list of 'values'")
            } else if column.values.isEmpty {
                diagnostics.error(valuesValue!.position, "'\(valuesValue!.path)' must list at least one value")
            } else if Set(column.values).count != column.values.count {
                diagnostics.error(valuesValue!.position, "'\(valuesValue!.path)' lists a value twice")
            }
            for v in [minValue, maxValue].compactMap({ $0 }) {
                diagnostics.error(v.position, "'min'/'max' apply to number and integer columns only")
            }
        case .boolean?, nil:
            break
        }
        checkLimits(min: minValue, max: maxValue, column: column, diagnostics: &diagnostics)
        return diagnostics.diagnostics.count == errorsBefore ? column : nil
    }
}
