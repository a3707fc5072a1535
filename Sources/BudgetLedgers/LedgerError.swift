import Foundation

/// Every error of a budget ledger (SQLite or PostgreSQL). Messages name the ledger and say what to do;
/// they never contain a data value.
public enum LedgerError: Error, Sendable, Equatable {
    /// Nothing is granted to this data set.
    case noGrant(dataset: String)
    /// The reservation would exceed the grant; nothing was recorded.
    case budgetExceeded(dataset: String, requestedEpsilon: Double, requestedDelta: Double,
                        remainingEpsilon: Double, remainingDelta: Double)
    /// A bad amount or id (negative, not finite, δ ≥ 1, a grant below what is charged…).
    case invalidBudget(String)
    /// No open reservation with this id (unknown or already committed).
    case reservationNotFound(id: Int64)
    /// The ledger cannot be used (missing, damaged, unreachable, refused by the database); `location` is a
    /// path or a URL without its password.
    case ledger(path: String, reason: String)
    /// The data file (by path or content) is bound to other data set(s) in the ledger.
    case fileBoundElsewhere(file: String, dataset: String, boundTo: [String])
    /// A data file to fingerprint cannot be read.
    case fileUnreadable(file: String, reason: String)
}

extension LedgerError: LocalizedError, CustomStringConvertible {
    public var errorDescription: String? { description }

    public var description: String {
        switch self {
        case let .noGrant(d):
            return "ledger: error: no budget granted for dataset '\(d)'; run `dpflow ledger grant \(d) --epsilon E --delta D`"
        case let .budgetExceeded(d, re, rd, le, ld):
            return "ledger: error: dataset '\(d)': reserving ε=\(re), δ=\(rd) would exceed the grant; remaining ε=\(le), δ=\(ld); nothing was charged"
        case let .invalidBudget(why): return "ledger: error: \(why)"
        case let .reservationNotFound(id): return "ledger: error: no open reservation with id \(id)"
        case let .ledger(p, why): return "\(p): ledger error: \(why)"
        case let .fileBoundElsewhere(f, d, owners):
            let names = owners.map { "'\($0)'" }.joined(separator: ", ")
            return "\(f): ledger error: this data file (its path or its content) is already charged as data set \(names); "
                + "running it as '\(d)' would give the same data a fresh budget. Declare privacy.dataset: \(owners.first ?? d), or, if it "
                + "really is another data set, the operator binds it with `dpflow ledger bind \(d) --csv \(f)`"
        case let .fileUnreadable(f, why): return "\(f): error: cannot read the file: \(why)"
        }
    }
}
