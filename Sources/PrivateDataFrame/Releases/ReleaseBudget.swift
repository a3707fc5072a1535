/// Where a DP release charges its budget: a ledger and the job name recorded with the spend.
///
/// Every release reserves its (ε, δ) in the ledger **before** it reads a value, and commits it
/// after; a failure after the reservation leaves it charged.
public struct ReleaseBudget: Sendable {
    public let ledger: BudgetLedger
    public let job: String

    public init(ledger: BudgetLedger, job: String) {
        self.ledger = ledger
        self.job = job
    }
}
