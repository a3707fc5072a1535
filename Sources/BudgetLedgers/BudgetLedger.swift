import Foundation

/// A privacy budget ledger: per data set, a granted total (ε, δ) and every spend against it.
///
/// **The protocol of every ledger** (`SQLiteBudgetLedger`, `PostgresBudgetLedger`; one shared test suite):
/// - spending is **reserve → commit**: `reserve` checks, atomically across processes and machines, that
///   `committed + reserved + request ≤ granted` for ε and for δ and records the reservation, or throws
///   `LedgerError.budgetExceeded` and records nothing; `commit` marks it spent;
/// - **no refunds, no deletes**: a reservation counts against the grant forever, committed or not; spends,
///   data sets, data-file bindings and the ledger's identity are never deleted or reduced — the database
///   itself refuses it (constraints and triggers), not only this code;
/// - amounts are exact fixed-point integers (`BudgetAmount`): charges round up, grants round down;
/// - a grant may be raised, or lowered down to what is already charged, never below;
/// - **fail closed**: a ledger that is missing, damaged, unreachable or not a dpflow ledger is refused
///   (`LedgerError.ledger`), never re-created.
///
/// Composition across spends is basic composition: the ε's add and the δ's add.
public protocol BudgetLedger: AnyObject, Sendable {
    /// Where the ledger lives: a file path, or a PostgreSQL URL without its password.
    var location: String { get }
    /// A random id of this ledger, made when it was created (shown by `dpflow ledger show`).
    var identity: String { get }

    /// Sets the total budget granted for `dataset` (creating the data set if needed).
    /// - Throws: `invalidBudget` for bad amounts or a grant below what is already charged.
    func grant(dataset: String, epsilon: Double, delta: Double) throws

    /// Reserves (ε, δ) for a job **before** it touches the data.
    /// - Parameters:
    ///   - dataset: the data set id (declared, or keyed: see `fingerprint`).
    ///   - job: a name for the job (pipeline name, release name).
    ///   - mechanism: what is paid for (`dp-sgd rdp`, `laplace count`, …).
    /// - Throws: `noGrant`, `budgetExceeded` (nothing recorded), `invalidBudget`, `ledger`.
    func reserve(dataset: String, job: String, mechanism: String, epsilon: Double, delta: Double) throws -> BudgetReservation

    /// Marks the reservation with this id as spent (it stays charged either way).
    /// - Throws: `reservationNotFound` if it does not exist or is already committed.
    func commit(id: Int64) throws

    /// The books of every data set, by id.
    func budgets() throws -> [DatasetBudget]

    /// Every spend, oldest first (optionally of one data set).
    func spends(dataset: String?) throws -> [BudgetSpend]

    /// Granted and charged (committed + reserved) amounts of a data set in exact units; nil without a grant.
    func units(dataset: String) throws -> LedgerUnits?

    /// Keyed (HMAC-SHA256 with this ledger's secret) fingerprints of a data file (see `LedgerSecret`).
    func fingerprint(file: String) throws -> DataFileFingerprint

    /// The data sets a file is already bound to (by its path or by its content).
    func datasets(boundTo file: DataFileFingerprint) throws -> [String]

    /// Binds a data file to `dataset`: a file whose path or content is already bound to **another** data set is
    /// refused (`fileBoundElsewhere`, nothing recorded) unless `explicit` (the operator's `dpflow ledger bind`).
    func bind(dataset: String, file: DataFileFingerprint, displayPath: String, explicit: Bool) throws
}

/// Granted and charged amounts of one data set, in `BudgetAmount` units.
public struct LedgerUnits: Sendable, Equatable {
    public var grantedEpsilon: Int64
    public var grantedDelta: Int64
    /// Committed + reserved.
    public var chargedEpsilon: Int64
    public var chargedDelta: Int64

    public init(grantedEpsilon: Int64, grantedDelta: Int64, chargedEpsilon: Int64, chargedDelta: Int64) {
        self.grantedEpsilon = grantedEpsilon
        self.grantedDelta = grantedDelta
        self.chargedEpsilon = chargedEpsilon
        self.chargedDelta = chargedDelta
    }
}

extension BudgetLedger {
    /// Marks a reservation as spent.
    public func commit(_ reservation: BudgetReservation) throws { try commit(id: reservation.id) }

    /// Every spend, oldest first.
    public func spends() throws -> [BudgetSpend] { try spends(dataset: nil) }

    /// Binds a data file (not explicitly: refused when bound elsewhere).
    public func bind(dataset: String, file: DataFileFingerprint, displayPath: String) throws {
        try bind(dataset: dataset, file: file, displayPath: displayPath, explicit: false)
    }

    /// The books of one data set.
    /// - Throws: `noGrant` if nothing was granted for it.
    public func budget(dataset: String) throws -> DatasetBudget {
        guard let b = try budgets().first(where: { $0.dataset == dataset }) else { throw LedgerError.noGrant(dataset: dataset) }
        return b
    }

    /// Whether `dataset` has a grant.
    public func hasGrant(dataset: String) throws -> Bool { try units(dataset: dataset) != nil }

    /// The refusal `reserve` throws when a request does not fit (shared wording).
    static func exceeded(_ dataset: String, epsilon: Double, delta: Double, _ u: LedgerUnits) -> LedgerError {
        .budgetExceeded(dataset: dataset, requestedEpsilon: epsilon, requestedDelta: delta,
                        remainingEpsilon: BudgetAmount.epsilon(u.grantedEpsilon - u.chargedEpsilon),
                        remainingDelta: BudgetAmount.delta(u.grantedDelta - u.chargedDelta))
    }
}
