// The budget ledger lives in its own module (BudgetLedgers: one protocol, SQLite and PostgreSQL stores).
// Releases charge it (`ReleaseBudget`), so users of PrivateDataFrame see its types without a second import.
@_exported import BudgetLedgers

extension DataFrameError {
    /// A ledger error as the frame's releases report it (the same cases, one error type per module).
    public init(_ error: LedgerError) {
        switch error {
        case let .noGrant(d): self = .noGrant(dataset: d)
        case let .budgetExceeded(d, re, rd, le, ld):
            self = .budgetExceeded(dataset: d, requestedEpsilon: re, requestedDelta: rd, remainingEpsilon: le, remainingDelta: ld)
        case let .invalidBudget(why): self = .invalidBudget(why)
        case let .reservationNotFound(id): self = .reservationNotFound(id: id)
        case let .ledger(p, why): self = .ledger(path: p, reason: why)
        case let .fileBoundElsewhere(f, d, owners): self = .fileBoundElsewhere(file: f, dataset: d, boundTo: owners)
        case let .fileUnreadable(f, why): self = .fileUnreadable(file: f, reason: why)
        }
    }
}
