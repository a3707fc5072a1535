import Foundation

/// Where a DP release charges its budget.
///
/// - `ReleaseBudget(ledger:job:)`: every release reserves its (ε, δ) in the ledger **before** it
///   reads a value, and commits it after; a failure after the reservation leaves it charged.
/// - `ReleaseBudget.preReserved(allotment)`: for a job that already reserved a total in the
///   ledger (a pipeline reserves the whole job up front). Each release draws its (ε, δ) from the
///   allotment before reading a value and is refused once the allotment is used up.
public struct ReleaseBudget: Sendable {
    enum Source: Sendable {
        case ledger(any BudgetLedger, job: String)
        case allotment(ReservedAllotment)
    }
    let source: Source

    /// Charges each release to `ledger` under `job` (reserve → commit).
    public init(ledger: any BudgetLedger, job: String) {
        source = .ledger(ledger, job: job)
    }

    /// Draws each release from budget the caller has already reserved in the ledger.
    public static func preReserved(_ allotment: ReservedAllotment) -> ReleaseBudget {
        ReleaseBudget(source: .allotment(allotment))
    }

    private init(source: Source) { self.source = source }

    /// The ledger charged per release, if this budget uses one.
    public var ledger: (any BudgetLedger)? {
        if case let .ledger(l, _) = source { return l }
        return nil
    }

    /// Takes (ε, δ) for one release, before any value is read.
    func charge(dataset: String, mechanism: String, epsilon: Double, delta: Double) throws -> BudgetReservation? {
        switch source {
        case let .ledger(ledger, job):
            do { return try ledger.reserve(dataset: dataset, job: job, mechanism: mechanism, epsilon: epsilon, delta: delta) } catch let e as LedgerError {
                throw DataFrameError(e)
            }
        case let .allotment(a):
            try a.take(epsilon: epsilon, delta: delta)
            return nil
        }
    }

    func finish(_ reservation: BudgetReservation?) throws {
        if case let .ledger(ledger, _) = source, let reservation {
            do { try ledger.commit(reservation) } catch let e as LedgerError { throw DataFrameError(e) }
        }
    }
}

/// Budget a job has already reserved in the ledger, handed out release by release.
///
/// Amounts use the ledger's exact fixed point (charges round up), so the releases drawn from an
/// allotment can never add up to more than it holds. Thread-safe.
public final class ReservedAllotment: @unchecked Sendable {
    private let lock = NSLock()
    private var epsilonUnits: Int64
    private var deltaUnits: Int64

    /// - Parameters:
    ///   - epsilon: ε reserved in the ledger for these releases.
    ///   - delta: δ reserved in the ledger for these releases.
    public init(epsilon: Double, delta: Double) throws {
        do { try BudgetAmount.validate(epsilon: epsilon, delta: delta) } catch let e as LedgerError { throw DataFrameError(e) }
        epsilonUnits = BudgetAmount.epsilonUnitsGranted(epsilon)
        deltaUnits = BudgetAmount.deltaUnitsGranted(delta)
    }

    /// ε not yet used.
    public var remainingEpsilon: Double { lock.withLock { BudgetAmount.epsilon(epsilonUnits) } }
    /// δ not yet used.
    public var remainingDelta: Double { lock.withLock { BudgetAmount.delta(deltaUnits) } }

    func take(epsilon: Double, delta: Double) throws {
        let e = BudgetAmount.epsilonUnitsCharged(epsilon), d = BudgetAmount.deltaUnitsCharged(delta)
        try lock.withLock {
            guard e <= epsilonUnits, d <= deltaUnits else {
                throw DataFrameError.budgetExceeded(dataset: "(pre-reserved allotment)", requestedEpsilon: epsilon,
                                                    requestedDelta: delta, remainingEpsilon: BudgetAmount.epsilon(epsilonUnits),
                                                    remainingDelta: BudgetAmount.delta(deltaUnits))
            }
            epsilonUnits -= e
            deltaUnits -= d
        }
    }
}
