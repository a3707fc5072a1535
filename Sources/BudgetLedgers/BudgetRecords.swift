import Foundation

/// One reservation made in a `BudgetLedger`: the handle `commit` takes.
public struct BudgetReservation: Sendable, Equatable, Codable {
    /// Row id in the ledger.
    public let id: Int64
    public let dataset: String
    public let job: String
    /// What the budget pays for (`dp-sgd`, `laplace count`, …).
    public let mechanism: String
    /// ε charged (as requested; the books hold it rounded up to 10⁻¹²).
    public let epsilon: Double
    /// δ charged (as requested; the books hold it rounded up to 10⁻¹⁸).
    public let delta: Double
}

/// Status of one spend in the ledger.
public enum SpendStatus: String, Sendable, Codable {
    /// Reserved before the work started. Counts against the grant **forever**, whether or not
    /// the job ever commits (a crashed job is never refunded).
    case reserved
    /// The job finished and confirmed the spend.
    case committed
}

/// One spend as recorded.
public struct BudgetSpend: Sendable, Equatable, Codable {
    public let id: Int64
    public let dataset: String
    public let job: String
    public let mechanism: String
    public let epsilon: Double
    public let delta: Double
    public let status: SpendStatus
    /// When it was reserved, ISO 8601 UTC.
    public let reservedAt: String
    /// When it was committed, ISO 8601 UTC.
    public let committedAt: String?
}

/// The books of one dataset. Composition is basic: ε's add and δ's add.
public struct DatasetBudget: Sendable, Equatable, Codable {
    public let dataset: String
    public let grantedEpsilon: Double
    public let grantedDelta: Double
    public let committedEpsilon: Double
    public let committedDelta: Double
    public let reservedEpsilon: Double
    public let reservedDelta: Double
    /// `granted − committed − reserved`.
    public var remainingEpsilon: Double { max(0, grantedEpsilon - committedEpsilon - reservedEpsilon) }
    public var remainingDelta: Double { max(0, grantedDelta - committedDelta - reservedDelta) }
}
