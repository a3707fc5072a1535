import DPTestSupport
import Foundation
import PrivacyAccounting
import PrivateLearning
import StandardPlugins
import Testing
@testable import PrivacyAudit

@Suite struct CanaryAuditTests {
    static func audit(noiseMultiplier: Double, clip: Double, epochs: Int, trials: Int, seed: UInt64) -> CanaryAudit {
        CanaryAudit(
            configuration: MembershipAuditConfiguration(l2NormClip: clip, noiseMultiplier: noiseMultiplier,
                                                        batchSize: 8, epochs: epochs, delta: 1e-5, seed: seed),
            trials: trials, loss: BinaryCrossentropy(fromLogits: true),
            makeOptimizer: { Adam(learningRate: 0.01) },
            makeModel: { seed in try Sequential(inputShape: [10], layers: [Dense(16, activation: .relu), Dense(1)], seed: seed) })
    }

    /// 32 examples of 10 standard-normal features, labels = sign of the first feature; the canary
    /// sits far out (every feature 3) with the label the rule would not give it.
    static let base: (Tensor, Tensor) = {
        let x = Fixtures.gaussian(shape: [32, 10], seed: 41)
        let y = Tensor(shape: [32, 1], values: (0..<32).map { x.storage[$0 * 10] > 0 ? 1 : 0 })
        return (x, y)
    }()
    static let canary = (Tensor(shape: [1, 10], values: [Float](repeating: 3, count: 10)), Tensor(shape: [1, 1], values: [0]))

    @Test func nonPrivateTrainingIsCaughtAndDPIsNot() throws {
        let (x, y) = Self.base, (cx, cy) = Self.canary
        let leaky = try Self.audit(noiseMultiplier: 0, clip: 1e6, epochs: 60, trials: 40, seed: 5)
            .run(features: x, labels: y, canaryFeatures: cx, canaryLabels: cy)
        let dp = try Self.audit(noiseMultiplier: 2, clip: 1, epochs: 5, trials: 40, seed: 5)
            .run(features: x, labels: y, canaryFeatures: cx, canaryLabels: cy)
        print(leaky.summary)
        print(dp.summary)
        #expect(dp.isConsistent)
        #expect(dp.accountantEpsilon.isFinite)
        // With perfect separation the bound is the closed form of a perfect attack on
        // (runsWithCanary, runsWithout) trials; the leaky model must reach it.
        // FPR bound over n runs without the canary at α/(2(n+1)), FNR over m runs with it at α/(2(m+1)).
        let m = leaky.runsWithCanary, n = leaky.trials - m
        let u1 = -expm1(log(0.05 / 2 / Double(n + 1)) / Double(n)), u2 = -expm1(log(0.05 / 2 / Double(m + 1)) / Double(m))
        let perfect = max(log((1 - 1e-5 - u1) / u2), log((1 - 1e-5 - u2) / u1))
        #expect(leaky.attack.auc == 1)
        #expect(abs(leaky.empiricalEpsilon.epsilon - perfect) <= 1e-12)
    }

    @Test func rejectsBadInput() throws {
        let (x, y) = Self.base
        #expect(throws: PrivacyAuditError.self) {
            try Self.audit(noiseMultiplier: 1, clip: 1, epochs: 1, trials: 1, seed: 1)
                .run(features: x, labels: y, canaryFeatures: x, canaryLabels: y)
        }
    }
}
