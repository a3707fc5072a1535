import DPTestSupport
import Foundation
import PrivateLearning
import StandardPlugins
import Testing
import PrivacyAudit

/// The API example of docs/audit.md, on small synthetic data, so that the documented calls
/// keep compiling and running (public API only: no @testable import).
@Suite struct DocExampleTests {
    @Test func documentedExampleRuns() throws {
        let x = Fixtures.gaussian(shape: [40, 30], seed: 8), y = Fixtures.binaryLabels(40, seed: 9)
        let cx = Tensor(shape: [1, 30], values: [Float](repeating: 2, count: 30)), cy = Tensor(shape: [1, 1], values: [1])
        let trainLosses = [0.1, 0.2, 0.3], heldOutLosses = [0.25, 0.5, 0.9]

        // 1.
        let attack = try LossThresholdAttack.run(memberLosses: trainLosses, nonMemberLosses: heldOutLosses)
        _ = (attack.auc, attack.advantage, attack.roc.truePositiveRate(atFalsePositiveRate: 0.01))
        // 2.
        let bound = try EmpiricalEpsilon.lowerBound(roc: attack.roc, delta: 1e-5, confidence: 0.95)
        #expect(bound.epsilon == 0)   // three trials per group can prove nothing
        let single = try EmpiricalEpsilon.lowerBound(truePositives: 40, falsePositives: 2,
                                                     members: 100, nonMembers: 100, delta: 1e-5)
        #expect(single.epsilon > 0 && single.epsilon < single.pointEstimate)
        #expect(single.threshold == nil)
        // 3.
        let makeModel: @Sendable (UInt64?) throws -> Sequential = { seed in
            try Sequential(inputShape: [30], layers: [Dense(32, activation: .relu), Dense(1)], seed: seed)
        }
        let audit = MembershipAudit(
            configuration: MembershipAuditConfiguration(l2NormClip: 1, noiseMultiplier: 1.5, batchSize: 8,
                                                        epochs: 2, delta: 1e-5, accountant: .rdp, seed: 3),
            loss: BinaryCrossentropy(fromLogits: true),
            makeOptimizer: { Adam(learningRate: 0.01) },
            makeModel: makeModel)
        let report = try audit.run(features: x, labels: y)
        #expect(report.isConsistent)
        let oneRun = try OneRunEpsilon.lowerBound(memberScores: trainLosses.map { -$0 },
                                                  nonMemberScores: heldOutLosses.map { -$0 }, delta: 1e-5)
        #expect(oneRun.epsilon == 0)   // 6 examples: at most 6 guesses, not enough to reject ε = 0
        // 4.
        let canary = CanaryAudit(configuration: audit.configuration, trials: 4,
                                 loss: BinaryCrossentropy(fromLogits: true),
                                 makeOptimizer: { Adam(learningRate: 0.01) }, makeModel: makeModel)
        do {
            let canaryReport = try canary.run(features: x, labels: y, canaryFeatures: cx, canaryLabels: cy)
            #expect(canaryReport.trials == 4)
        } catch PrivacyAuditError.invalidParameter {
            // Four coin flips can all land the same way (probability 1/8); that is the documented error.
        }
    }
}
