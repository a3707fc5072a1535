/// One operating point of a threshold attack: "member" when score ≥ threshold.
public struct ROCPoint: Sendable, Equatable {
    /// Decision threshold on the score (`+∞` for the point that flags nobody).
    public var threshold: Double
    /// Members flagged as members (true positives).
    public var truePositives: Int
    /// Non-members flagged as members (false positives).
    public var falsePositives: Int
    /// Member count (positives).
    public var members: Int
    /// Non-member count (negatives).
    public var nonMembers: Int

    /// TPR = TP / members.
    public var truePositiveRate: Double { Double(truePositives) / Double(members) }
    /// FPR = FP / non-members.
    public var falsePositiveRate: Double { Double(falsePositives) / Double(nonMembers) }
    /// Members missed (false negatives).
    public var falseNegatives: Int { members - truePositives }
    /// FNR = 1 − TPR.
    public var falseNegativeRate: Double { Double(falseNegatives) / Double(members) }
}

/// The ROC curve of a score-threshold membership attack.
///
/// Higher scores mean "more likely a member". One point per distinct score value, ordered from
/// the strictest threshold (`+∞`: nobody flagged, (FPR, TPR) = (0, 0)) to the loosest (the
/// lowest score: everybody flagged, (1, 1)). Ties move both counts at once, which the
/// trapezoid AUC credits with ½ — the AUC equals the Mann–Whitney probability
/// `P(score_member > score_nonmember) + ½ P(=)`.
public struct ROCCurve: Sendable, Equatable {
    /// Operating points, FPR and TPR non-decreasing.
    public let points: [ROCPoint]

    /// Builds the curve from raw scores.
    /// - Parameters:
    ///   - memberScores: scores of training examples (members), higher = more member-like.
    ///   - nonMemberScores: scores of held-out examples.
    /// - Throws: `PrivacyAuditError.emptyScores`, `.nonFiniteScore`.
    /// - Complexity: O((m + n) log(m + n)).
    public init(memberScores: [Double], nonMemberScores: [Double]) throws {
        guard !memberScores.isEmpty, !nonMemberScores.isEmpty else {
            throw PrivacyAuditError.emptyScores(members: memberScores.count, nonMembers: nonMemberScores.count)
        }
        if let i = memberScores.firstIndex(where: { !$0.isFinite }) {
            throw PrivacyAuditError.nonFiniteScore(group: "memberScores", index: i)
        }
        if let i = nonMemberScores.firstIndex(where: { !$0.isFinite }) {
            throw PrivacyAuditError.nonFiniteScore(group: "nonMemberScores", index: i)
        }
        let m = memberScores.count, n = nonMemberScores.count
        // (score, isMember), descending by score.
        var all = memberScores.map { ($0, true) } + nonMemberScores.map { ($0, false) }
        all.sort { $0.0 > $1.0 }
        var points = [ROCPoint(threshold: .infinity, truePositives: 0, falsePositives: 0, members: m, nonMembers: n)]
        points.reserveCapacity(all.count + 1)
        var tp = 0, fp = 0, i = 0
        while i < all.count {
            let t = all[i].0
            while i < all.count && all[i].0 == t {
                if all[i].1 { tp += 1 } else { fp += 1 }
                i += 1
            }
            points.append(ROCPoint(threshold: t, truePositives: tp, falsePositives: fp, members: m, nonMembers: n))
        }
        self.points = points
    }

    /// Area under the curve (trapezoid rule; ½ = chance, 1 = perfect separation).
    public var auc: Double {
        var area = 0.0
        for (a, b) in zip(points, points.dropFirst()) {
            area += (b.falsePositiveRate - a.falsePositiveRate) * (a.truePositiveRate + b.truePositiveRate) / 2
        }
        return area
    }

    /// Membership advantage `max_t (TPR − FPR)` (Yeom et al. 2018); 0 = no better than chance.
    public var advantage: Double {
        points.map { $0.truePositiveRate - $0.falsePositiveRate }.max() ?? 0
    }

    /// Best TPR among thresholds whose FPR is at most `maxFPR` (the low-FPR regime that
    /// Carlini et al. 2022 argue matters most).
    public func truePositiveRate(atFalsePositiveRate maxFPR: Double) -> Double {
        points.filter { $0.falsePositiveRate <= maxFPR }.map(\.truePositiveRate).max() ?? 0
    }
}
