import Foundation
import Testing
@testable import PrivacyAudit

@Suite struct ThresholdAttackTests {
    @Test func perfectSeparation() throws {
        let r = try ThresholdAttack.run(memberScores: [5, 6, 7], nonMemberScores: [1, 2, 3, 4])
        #expect(r.auc == 1)
        #expect(r.advantage == 1)
        #expect(r.roc.truePositiveRate(atFalsePositiveRate: 0) == 1)
        #expect(r.members == 3 && r.nonMembers == 4)
        let reversed = try ThresholdAttack.run(memberScores: [1, 2], nonMemberScores: [5, 6])
        #expect(reversed.auc == 0)
        #expect(reversed.advantage == 0)
    }

    @Test func allTiedIsChance() throws {
        let r = try ThresholdAttack.run(memberScores: [1, 1, 1], nonMemberScores: [1, 1])
        #expect(r.auc == 0.5)
        #expect(r.advantage == 0)
        #expect(r.roc.points.count == 2)   // (0,0) and (1,1)
    }

    @Test func aucEqualsMannWhitneyWithTies() throws {
        // AUC = P(s_m > s_n) + ½ P(s_m = s_n), counted over all pairs; scores rounded to create ties.
        let rng = TestRandom(seed: 3)
        let members = (0..<73).map { _ in (rng.normal() * 4 + 1).rounded() }
        let nonMembers = (0..<91).map { _ in (rng.normal() * 4).rounded() }
        var wins = 0.0
        for a in members { for b in nonMembers { wins += a > b ? 1 : (a == b ? 0.5 : 0) } }
        let expected = wins / Double(members.count * nonMembers.count)
        let r = try ThresholdAttack.run(memberScores: members, nonMemberScores: nonMembers)
        #expect(abs(r.auc - expected) <= 1e-12)
        // Advantage by brute force over thresholds at every observed score.
        var best = 0.0
        for t in Set(members + nonMembers) {
            let tpr = Double(members.filter { $0 >= t }.count) / Double(members.count)
            let fpr = Double(nonMembers.filter { $0 >= t }.count) / Double(nonMembers.count)
            best = max(best, tpr - fpr)
        }
        #expect(abs(r.advantage - best) <= 1e-12)
    }

    @Test func lossAttackFlagsLowLosses() throws {
        let r = try LossThresholdAttack.run(memberLosses: [0.01, 0.02, 0.5], nonMemberLosses: [0.3, 0.9, 1.2])
        // Pairs (member loss < non-member loss): 0.01 and 0.02 beat all 3, 0.5 beats 2 → 8/9.
        #expect(abs(r.auc - 8.0 / 9.0) <= 1e-12)
        #expect(abs(r.lowFPRTruePositiveRates[0.1]! - 2.0 / 3.0) <= 1e-12)
    }

    @Test func rejectsEmptyAndNonFiniteInput() {
        #expect(throws: PrivacyAuditError.emptyScores(members: 0, nonMembers: 1)) {
            try ThresholdAttack.run(memberScores: [], nonMemberScores: [1])
        }
        #expect(throws: PrivacyAuditError.nonFiniteScore(group: "nonMemberScores", index: 1)) {
            try ThresholdAttack.run(memberScores: [1], nonMemberScores: [1, .nan])
        }
        // The message names the position, never the value.
        #expect(!PrivacyAuditError.nonFiniteScore(group: "memberScores", index: 4).description.contains("nan"))
    }
}
