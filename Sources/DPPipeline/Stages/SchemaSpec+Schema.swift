import PrivateDataFrame

extension SchemaSpec {
    /// The dataframe's `Schema` for this declaration.
    public var schema: Schema {
        var columns: [String: ColumnSpec] = [:]
        for (name, column) in self.columns { columns[name] = column.columnSpec }
        return Schema(columns: columns, default: defaultColumn?.columnSpec)
    }
}

extension SchemaSpec.Column {
    var columnSpec: ColumnSpec {
        let missing: MissingValuePolicy = dropRowsWithMissing ? .dropRow : (missingDefault.map { .fill($0) } ?? .error)
        let bounds: OutOfBoundsPolicy = clampOutOfBounds ? .clamp : .error
        switch kind {
        case .number: return ColumnSpec(.number(min: min ?? 0, max: max ?? 1), missing: missing, outOfBounds: bounds)
        case .integer: return ColumnSpec(.integer(min: min ?? 0, max: max ?? 1), missing: missing, outOfBounds: bounds)
        case .category: return ColumnSpec(.category(values: values), missing: missing, outOfBounds: bounds)
        case .boolean: return ColumnSpec(.boolean, missing: missing, outOfBounds: bounds)
        }
    }
}
