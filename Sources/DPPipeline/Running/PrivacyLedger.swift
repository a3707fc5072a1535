/// What the runner needs from a budget ledger: look at a data set's grant, grant on first use, reserve before
/// work, commit after success. Reservations are never refunded. `BudgetLedger` (PrivateDataFrame) is adapted
/// to this in `BudgetLedgerAdapter`; tests may use their own.
public protocol PrivacyLedger: Sendable {
    /// Granted, and spent-plus-reserved, totals for a data set; nil when nothing was granted yet.
    func snapshot(dataset: String) throws -> LedgerSnapshot?
    /// Grants a total budget to a data set that has none.
    func grant(dataset: String, epsilon: Double, delta: Double) throws
    /// Reserves (ε, δ) for a job, or throws `PipelineError.budgetRefused` leaving the ledger unchanged.
    /// - Returns: an id to commit.
    func reserve(dataset: String, job: String, epsilon: Double, delta: Double, mechanism: String) throws -> String
    /// Marks a reservation as spent.
    func commit(reservation: String) throws
}
