/// What to do with a cell that cannot be stored as declared: an empty cell (`missing`) or a cell
/// that is not a value of the column's type (`invalid`: not a number, not an integer, not a
/// boolean, not one of the declared categories).
///
/// `dropRow` and `fill` are **data-independent**: what happens to a row depends only on the row
/// itself, so a run's outcome (success or failure, what it writes) does not reveal which rows had
/// the problem. `error` fails the load at the first such cell, naming its line and column: that
/// outcome depends on the data, so it is for the data owner's own tools (`dpflow check`, Swift
/// code run by the owner), never for `dpflow run`, whose pipelines cannot declare it.
public enum CellPolicy: Sendable, Equatable, Hashable {
    /// Refuse the file (the error names file, line and column, never the value). The Swift API's
    /// default; not available in pipelines.
    case error
    /// Drop the whole row. Which rows are dropped depends on the data, so the row count after
    /// loading is private like every other count, and it is never reported. Dropping a row is a
    /// per-row transformation: under add/remove-one neighbours it costs no privacy.
    case dropRow
    /// Replace the cell by this declared value, written as in the CSV (`"0.5"`, `"red"`,
    /// `"true"`). It is checked against the column type when the schema is validated.
    case fill(String)
}

/// What to do with an empty cell.
public typealias MissingValuePolicy = CellPolicy

/// What to do with a cell that is not a value of the declared type.
public typealias InvalidValuePolicy = CellPolicy

/// What to do with a number outside the declared bounds.
public enum OutOfBoundsPolicy: String, Sendable, Equatable, Hashable, Codable {
    /// Clamp to the nearest bound (the default). The number of clamped cells is private and is
    /// never reported.
    case clamp
    /// Drop the whole row (data-independent per row; the row count stays private).
    case dropRow = "drop_row"
    /// Refuse the file (the error names file, line and column, never the value). Data-dependent:
    /// for the owner's tools only, not available in pipelines.
    case error
}

/// What to do with a row that has fewer or more fields than the header.
public enum RaggedRowPolicy: String, Sendable, Equatable, Hashable, Codable {
    /// Refuse the file (the error names the line). The Swift API's default; data-dependent, so
    /// pipelines use `dropRow`.
    case error
    /// Drop the row (data-independent per row; the row count stays private).
    case dropRow = "drop_row"
}
