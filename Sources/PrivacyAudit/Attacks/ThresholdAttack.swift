/// The outcome of a threshold membership-inference attack.
public struct MembershipAttackResult: Sendable, Equatable {
    /// Full ROC curve.
    public let roc: ROCCurve
    /// Area under the ROC curve.
    public var auc: Double { roc.auc }
    /// `max (TPR − FPR)`.
    public var advantage: Double { roc.advantage }
    /// TPR at FPR ≤ 0.1, 0.01, 0.001 (keys are the FPR levels).
    public var lowFPRTruePositiveRates: [Double: Double] {
        Dictionary(uniqueKeysWithValues: [0.1, 0.01, 0.001].map { ($0, roc.truePositiveRate(atFalsePositiveRate: $0)) })
    }
    /// Members attacked.
    public var members: Int { roc.points[0].members }
    /// Non-members attacked.
    public var nonMembers: Int { roc.points[0].nonMembers }
}

/// Threshold attacks on per-example scores (TF Privacy's `threshold` attack, Yeom et al. 2018).
///
/// The attacker sees one number per example and guesses "member" when it crosses a threshold;
/// sweeping the threshold gives the ROC curve. These are pure functions of the numbers given:
/// the caller computes losses or confidences with the trained model.
public enum ThresholdAttack {
    /// Attack on scores where higher means "more likely a member".
    public static func run(memberScores: [Double], nonMemberScores: [Double]) throws -> MembershipAttackResult {
        MembershipAttackResult(roc: try ROCCurve(memberScores: memberScores, nonMemberScores: nonMemberScores))
    }
}

/// Loss-threshold attack: training examples tend to have lower loss, so the score is `−loss`.
public enum LossThresholdAttack {
    /// - Parameters:
    ///   - memberLosses: per-example losses of training (member) examples.
    ///   - nonMemberLosses: per-example losses of held-out examples.
    /// - Throws: `PrivacyAuditError.emptyScores`, `.nonFiniteScore`.
    public static func run(memberLosses: [Double], nonMemberLosses: [Double]) throws -> MembershipAttackResult {
        try ThresholdAttack.run(memberScores: memberLosses.map { -$0 }, nonMemberScores: nonMemberLosses.map { -$0 })
    }

    /// Confidence-threshold attack: the score is the model's probability of the true label.
    public static func run(memberConfidences: [Double], nonMemberConfidences: [Double]) throws -> MembershipAttackResult {
        try ThresholdAttack.run(memberScores: memberConfidences, nonMemberScores: nonMemberConfidences)
    }
}
