import DPTestSupport
import Foundation
import PrivacyAccounting
import PrivateLearning
import StandardPlugins
import Testing
@testable import PrivacyAudit

/// Breast-cancer features scaled to [−1, 1] with the public bounds of pipelines/breast_cancer.yaml
/// (published ranges of the Wisconsin measurements, never computed from the data).
enum BreastCancer {
    static let bounds: [(Float, Float)] = [
        (6, 30), (9, 40), (40, 190), (140, 2510), (0.05, 0.17), (0.01, 0.35), (0, 0.43), (0, 0.21), (0.1, 0.31),
        (0.04, 0.1), (0.1, 2.9), (0.3, 4.9), (0.7, 22), (6, 550), (0.001, 0.032), (0.002, 0.14), (0, 0.4),
        (0, 0.053), (0.007, 0.08), (0.0008, 0.03), (7, 37), (12, 50), (50, 252), (180, 4300), (0.07, 0.23),
        (0.02, 1.06), (0, 1.26), (0, 0.3), (0.15, 0.67), (0.05, 0.21),
    ]

    /// The first `count` rows: features `[count, 30]`, labels `[count, 1]`.
    static func load(count: Int) throws -> (Tensor, Tensor) {
        let url = Fixtures.repositoryRoot.appendingPathComponent("pipelines/data/breast_cancer.csv")
        let (header, rows) = try Fixtures.numericCSV(url)
        precondition(header.count == 31 && header.last == "target", "unexpected breast_cancer.csv layout")
        let used = rows.prefix(count)
        var x = [Float](), y = [Float]()
        for row in used {
            for (j, (lo, hi)) in bounds.enumerated() {
                x.append(2 * (min(max(row[j], lo), hi) - lo) / (hi - lo) - 1)
            }
            y.append(row[30])
        }
        return (Tensor(shape: [used.count, 30], values: x), Tensor(shape: [used.count, 1], values: y))
    }
}

@Suite struct MembershipAuditTests {
    /// One hidden layer of 32 units, logits out, Adam(0.01), batch 8, δ = 1e-5, seeded.
    static func audit(inputs: Int, noiseMultiplier: Double, clip: Double, epochs: Int, seed: UInt64) -> MembershipAudit {
        MembershipAudit(
            configuration: MembershipAuditConfiguration(l2NormClip: clip, noiseMultiplier: noiseMultiplier,
                                                        batchSize: 8, epochs: epochs, delta: 1e-5, seed: seed),
            loss: BinaryCrossentropy(fromLogits: true),
            makeOptimizer: { Adam(learningRate: 0.01) },
            makeModel: { seed in
                try Sequential(inputShape: [inputs], layers: [Dense(32, activation: .relu), Dense(1)], seed: seed)
            })
    }

    /// 120 examples of 20 standard-normal features with random labels: nothing generalises, so
    /// whatever the attack finds is memorisation of members.
    static let synthetic = (Fixtures.gaussian(shape: [120, 20], seed: 3), Fixtures.binaryLabels(120, seed: 4))

    @Test func overfitModelLeaksMoreThanDPModel() throws {
        let (x, y) = Self.synthetic   // members by fair coin flips (seed 7: 64 members, 56 non-members)
        let overfit = try Self.audit(inputs: 20, noiseMultiplier: 0, clip: 1e6, epochs: 150, seed: 7).run(features: x, labels: y)
        let dp = try Self.audit(inputs: 20, noiseMultiplier: 2, clip: 1, epochs: 10, seed: 7).run(features: x, labels: y)
        print(overfit.summary)
        print(dp.summary)
        #expect(overfit.accountantEpsilon == .infinity)
        #expect(!overfit.trainingWasPrivate && !dp.trainingWasPrivate)   // seeded runs
        // (a) With no leak, the AUC of m members and n non-members has sd sqrt((m+n+1)/(12mn))
        // (≈ 0.053 at m ≈ n ≈ 60), so the difference of two AUCs has sd ≈ 0.075. A gap of more
        // than 3 sd (≈ 0.225) cannot be sampling noise of the DP model's AUC.
        let m = Double(dp.members), n = Double(dp.nonMembers)
        let sd = ((m + n + 1) / (12 * m * n)).squareRoot() * 2.0.squareRoot()
        #expect(overfit.attack.auc - dp.attack.auc > 3 * sd)
        #expect(overfit.attack.advantage > dp.attack.advantage)
        #expect(overfit.meanNonMemberLoss > overfit.meanMemberLoss)
        // (b) The empirical lower bound does not exceed what the accountant certifies.
        #expect(dp.accountantEpsilon.isFinite)
        #expect(dp.empiricalEpsilon.epsilon <= dp.accountantEpsilon)
        #expect((dp.oneRunEpsilon?.epsilon ?? .infinity) <= dp.accountantEpsilon)
        #expect(dp.isConsistent)
    }

    @Test(arguments: [(1.0, UInt64(11)), (1.5, UInt64(12)), (3.0, UInt64(13))])
    func dpModelsStayBelowTheAccountant(sigma: Double, seed: UInt64) throws {
        // Each run violates "ε_lb ≤ accountant ε" with probability ≤ 1 − confidence = 0.05 if
        // DP-SGD and its accounting are right (up to the one-run caveat of docs/audit.md); all
        // six runs pass with probability ≥ 0.95^6 = 0.74 in the worst case, and the Bonferroni
        // bound over thresholds makes the real failure rate far smaller.
        let (sx, sy) = Self.synthetic
        let synthetic = try Self.audit(inputs: 20, noiseMultiplier: sigma, clip: 1, epochs: 20, seed: seed)
            .run(features: sx, labels: sy)
        #expect(synthetic.isConsistent, "\(synthetic.summary)")
        let (bx, by) = try BreastCancer.load(count: 160)
        let breast = try Self.audit(inputs: 30, noiseMultiplier: sigma, clip: 1, epochs: 20, seed: seed)
            .run(features: bx, labels: by)
        #expect(breast.isConsistent, "\(breast.summary)")
    }

    @Test func breastCancerOverfitAndDP() throws {
        // Reported, not a strength claim: breast cancer generalises well, so a loss-threshold
        // attack sees little even on an overfit model (docs/audit.md, "How to read it").
        let (x, y) = try BreastCancer.load(count: 160)
        let overfit = try Self.audit(inputs: 30, noiseMultiplier: 0, clip: 1e6, epochs: 150, seed: 7).run(features: x, labels: y)
        let dp = try Self.audit(inputs: 30, noiseMultiplier: 1.5, clip: 1, epochs: 10, seed: 7).run(features: x, labels: y)
        print(overfit.summary)
        print(dp.summary)
        #expect(overfit.meanMemberLoss < dp.meanMemberLoss)   // σ = 0 and 150 epochs fit the members harder
        #expect(dp.isConsistent)
    }

    @Test func reportNamesItsParametersAndRejectsBadConfiguration() throws {
        let (x, y) = try BreastCancer.load(count: 40)
        var a = Self.audit(inputs: 30, noiseMultiplier: 1, clip: 1, epochs: 1, seed: 1)
        let r = try a.run(features: x, labels: y)
        #expect(r.members + r.nonMembers == 40)
        #expect(abs(r.samplingRate - 8.0 / Double(r.members)) <= 1e-12)
        #expect(r.oneRunEpsilon != nil)
        let expected = try PrivacyAccounting.epsilon(samplingRate: 8.0 / Double(r.members), noiseMultiplier: 1,
                                                     steps: r.steps, delta: 1e-5)
        #expect(abs(r.accountantEpsilon - expected) <= 1e-12 * expected)
        #expect(r.summary.contains("accountant (rdp)"))
        a.configuration.memberFraction = 1
        #expect(throws: PrivacyAuditError.self) { try a.run(features: x, labels: y) }
        a.configuration.memberFraction = 0.5
        a.configuration.delta = 0
        #expect(throws: PrivacyAuditError.self) { try a.run(features: x, labels: y) }
    }

    @Test func seededAuditIsReproducible() throws {
        let (x, y) = Self.synthetic
        let a = try Self.audit(inputs: 20, noiseMultiplier: 1, clip: 1, epochs: 3, seed: 99).run(features: x, labels: y)
        let b = try Self.audit(inputs: 20, noiseMultiplier: 1, clip: 1, epochs: 3, seed: 99).run(features: x, labels: y)
        #expect(a == b)
    }
}
