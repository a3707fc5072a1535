/// Which data sets count as neighbours: the unit of change that a DP guarantee protects against.
///
/// Every accountant, release sensitivity, plan and report states the relation it assumes; the two must
/// match or the printed ε means nothing.
public enum NeighbouringRelation: String, Sendable, Hashable, CaseIterable, Codable {
    /// Neighbours differ by adding or removing one record (one privacy unit). The number of records is
    /// itself private: it is never printed, and sampling rates come from a declared public size or a DP count.
    /// Poisson sampling is accounted under this relation (the default).
    case addRemove = "add_remove"
    /// Neighbours have the same number of records and differ in one record's value. The number of records
    /// is public; batches are fixed-size samples without replacement, and a sum over [a, b] moves by b − a.
    case replaceOne = "replace_one"

    /// The name used in pipeline files, reports and the command line (`add_remove`, `replace_one`).
    public var name: String { rawValue }

    /// One line for plans and reports.
    public var summary: String {
        switch self {
        case .addRemove: "add-or-remove-one record (the number of records is private)"
        case .replaceOne: "replace-one record (the number of records is public)"
        }
    }
}
