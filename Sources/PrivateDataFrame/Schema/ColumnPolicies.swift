/// What to do with an empty cell.
public enum MissingValuePolicy: Sendable, Equatable, Hashable {
    /// Refuse the file (the error names file, line and column). The default.
    case error
    /// Drop the whole row. Which rows are dropped depends on the data, so the row count after
    /// loading is private like every other count.
    case dropRow
    /// Replace the empty cell by this declared value, written as in the CSV (`"0.5"`, `"red"`,
    /// `"true"`). It is checked against the column type when the schema is validated.
    case fill(String)
}

/// What to do with a number outside the declared bounds.
public enum OutOfBoundsPolicy: String, Sendable, Equatable, Hashable, Codable {
    /// Clamp to the nearest bound (the default). The number of clamped cells is private and is
    /// never reported.
    case clamp
    /// Refuse the file (the error names file, line and column, never the value).
    case error
}
