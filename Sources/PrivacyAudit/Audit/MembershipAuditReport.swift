import Foundation
import PrivacyAccounting

/// The result of one `MembershipAudit`: attack quality, the empirical ε lower bound and the
/// accountant's ε for the same run. Contains aggregates only, never a data value.
public struct MembershipAuditReport: Sendable, Equatable {
    /// Loss-threshold attack on members vs non-members.
    public var attack: MembershipAttackResult
    /// Empirical lower bound on ε from that attack.
    public var empiricalEpsilon: EmpiricalEpsilon
    /// Rigorous one-run lower bound (Steinke et al. 2023); nil unless the member fraction is ½.
    public var oneRunEpsilon: OneRunEpsilon?
    /// ε the accountant certifies for the training run at `delta` (`+∞` when σ = 0).
    public var accountantEpsilon: Double
    /// Accountant of `accountantEpsilon`.
    public var accountant: AccountantKind
    /// δ of both ε values.
    public var delta: Double
    /// σ and C of the training run.
    public var noiseMultiplier: Double
    public var l2NormClip: Double
    /// DP-SGD steps taken and their sampling rate q.
    public var steps: Int
    public var samplingRate: Double
    /// Examples in each group.
    public var members: Int
    public var nonMembers: Int
    /// Mean per-example loss on members and non-members (the generalisation gap).
    public var meanMemberLoss: Double
    public var meanNonMemberLoss: Double
    /// Whether the training run itself carried a DP guarantee (false with a seed or σ = 0).
    public var trainingWasPrivate: Bool

    /// True when neither empirical lower bound exceeds the accountant's ε. A false value
    /// means the implementation leaks more than it accounts for (or the confidence event failed,
    /// which happens with probability at most `1 − confidence`): investigate.
    public var isConsistent: Bool {
        empiricalEpsilon.epsilon <= accountantEpsilon && (oneRunEpsilon?.epsilon ?? 0) <= accountantEpsilon
    }

    /// A human-readable summary (aggregates only).
    public var summary: String {
        func f(_ x: Double) -> String { x.isFinite ? String(format: "%.4f", x) : "∞" }
        return """
        membership audit: \(members) members, \(nonMembers) non-members, σ = \(f(noiseMultiplier)), C = \(f(l2NormClip)), \
        q = \(f(samplingRate)), \(steps) steps
          loss-threshold attack: AUC \(f(attack.auc)), advantage \(f(attack.advantage)), \
        TPR@FPR≤0.01 \(f(attack.roc.truePositiveRate(atFalsePositiveRate: 0.01)))
          mean loss: members \(f(meanMemberLoss)), non-members \(f(meanNonMemberLoss))
          empirical ε ≥ \(f(empiricalEpsilon.epsilon)) (δ = \(delta), confidence \(empiricalEpsilon.confidence), \
        simultaneous over \(empiricalEpsilon.thresholdsExamined) thresholds)
          one-run ε ≥ \(oneRunEpsilon.map { $0.epsilon > 0 ? "\(f($0.epsilon)) (\($0.correctGuesses)/\($0.guesses) correct guesses)" : "0.0000 (no guess count rejects ε = 0)" } ?? "n/a (member fraction ≠ ½)")
          accountant (\(accountant.rawValue)) ε = \(f(accountantEpsilon))\(trainingWasPrivate ? "" : " (run not private: seeded or σ = 0)")
          consistent: \(isConsistent ? "yes" : "NO — empirical bound exceeds the accountant's ε")
        """
    }
}
