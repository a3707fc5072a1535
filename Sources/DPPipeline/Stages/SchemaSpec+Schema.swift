import PrivateDataFrame

extension SchemaSpec {
    /// The dataframe's `Schema` for this declaration.
    public var schema: Schema {
        var columns: [String: ColumnSpec] = [:]
        for (name, column) in self.columns { columns[name] = column.columnSpec }
        // Pipelines use data-independent policies only: a ragged row is dropped.
        return Schema(columns: columns, default: defaultColumn?.columnSpec, raggedRows: .dropRow, image: image)
    }
}

extension SchemaSpec.Column {
    var columnSpec: ColumnSpec {
        let missing: MissingValuePolicy = missingDefault.map { .fill($0) } ?? .dropRow
        let invalid: InvalidValuePolicy = invalidDefault.map { .fill($0) } ?? .dropRow
        let bounds: OutOfBoundsPolicy = clampOutOfBounds ? .clamp : .dropRow
        switch kind {
        case .number: return ColumnSpec(.number(min: min ?? 0, max: max ?? 1), missing: missing, outOfBounds: bounds, invalid: invalid)
        case .integer: return ColumnSpec(.integer(min: min ?? 0, max: max ?? 1), missing: missing, outOfBounds: bounds, invalid: invalid)
        case .category: return ColumnSpec(.category(values: values), missing: missing, outOfBounds: bounds, invalid: invalid)
        case .boolean: return ColumnSpec(.boolean, missing: missing, outOfBounds: bounds, invalid: invalid)
        case .text:
            // An empty cell is an empty document; a value that is not UTF-8 drops its row.
            let spec = text ?? (try? TextColumnSpec(maxLength: 1))!
            return ColumnSpec(.text(spec), missing: .dropRow, outOfBounds: .clamp, invalid: .dropRow)
        }
    }
}
