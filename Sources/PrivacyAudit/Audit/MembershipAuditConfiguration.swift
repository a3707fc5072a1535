import PrivacyAccounting

/// What a `MembershipAudit` trains and how it attacks.
public struct MembershipAuditConfiguration: Sendable, Equatable {
    /// C: per-example gradient L2 bound of DP-SGD.
    public var l2NormClip: Double
    /// σ: noise standard deviation divided by C; 0 trains without privacy (the baseline an
    /// audit compares against).
    public var noiseMultiplier: Double
    /// Expected Poisson batch size (q = batchSize / members).
    public var batchSize: Int
    /// Training epochs over the member set.
    public var epochs: Int
    /// δ of both the accountant's ε and the empirical lower bound.
    public var delta: Double
    /// Accountant whose ε the empirical bound is compared with.
    public var accountant: AccountantKind
    /// Probability with which the empirical lower bound holds.
    public var confidence: Double
    /// Fraction of the examples drawn (uniformly, without replacement) as members.
    public var memberFraction: Double
    /// Seed for the member split, initial weights, sampling and noise. `nil` uses the secure
    /// generator. A seed makes the audit reproducible but the training run "not private" —
    /// the mechanism audited is the same; only the randomness is predictable.
    public var seed: UInt64?

    public init(l2NormClip: Double, noiseMultiplier: Double, batchSize: Int, epochs: Int,
                delta: Double = 1e-5, accountant: AccountantKind = .rdp, confidence: Double = 0.95,
                memberFraction: Double = 0.5, seed: UInt64? = nil) {
        self.l2NormClip = l2NormClip
        self.noiseMultiplier = noiseMultiplier
        self.batchSize = batchSize
        self.epochs = epochs
        self.delta = delta
        self.accountant = accountant
        self.confidence = confidence
        self.memberFraction = memberFraction
        self.seed = seed
    }
}
