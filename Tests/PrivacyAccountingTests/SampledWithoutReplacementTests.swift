import Foundation
import Testing
@testable import PrivacyAccounting

/// Replace-one accounting of fixed-size batches drawn without replacement (WBK19), against dp_accounting 0.4.3
/// (`SampledWithoutReplacementDpEvent` under `NeighboringRelation.REPLACE_ONE`).
struct SampledWithoutReplacementTests {
    static let fixtures = Result { try AccountingFixtures.load() }

    @Test func rdpCurvesMatchDPAccounting() throws {
        let wor = try Self.fixtures.get().sampled_without_replacement
        #expect(wor.orders == RDPAccountant.defaultOrders)
        var checked = 0
        for c in wor.curves {
            let ours = try RDPAccountant.curve(of: .sampledWithoutReplacement(samplingRate: c.q, event: .gaussian(noiseMultiplier: c.sigma)),
                                               orders: wor.orders)
            for (k, ref) in c.rdp.enumerated() {
                #expect(isClose(ours[k], ref, rtol: 1e-6, atol: 1e-12),
                        "n=\(c.n) m=\(c.m) σ=\(c.sigma) order \(wor.orders[k]): \(ours[k]) vs \(ref)")
                checked += 1
            }
        }
        #expect(checked > 1000)
    }

    @Test func epsilonMatchesDPAccounting() throws {
        let wor = try Self.fixtures.get().sampled_without_replacement
        for r in wor.epsilon {
            var a = try RDPAccountant()
            try a.compose(.sampledWithoutReplacement(samplingRate: r.q, event: .gaussian(noiseMultiplier: r.sigma)), count: r.steps)
            let eps = try a.epsilon(delta: r.delta)
            #expect(isClose(eps, r.epsilon, rtol: 1e-6), "n=\(r.n) m=\(r.m) σ=\(r.sigma) steps=\(r.steps) δ=\(r.delta): \(eps) vs \(r.epsilon)")
        }
    }

    /// A DP-SGD run under replace_one accounts the clipped sum's replace-one sensitivity 2C: its event is the
    /// sampled Gaussian with σ/2, and PLD refuses it with a clear error.
    @Test func replaceOneRunUsesTwiceTheSensitivity() throws {
        let run = try DPSGDRun(examples: 455, batchSize: 32, epochs: 30, relation: .replaceOne)
        #expect(run.steps == 30 * 15)
        let direct = try dpsgdEpsilon(samplingRate: 32.0 / 455, noiseMultiplier: 2.2, steps: 450, delta: 1e-5, relation: .replaceOne)
        var a = try RDPAccountant()
        try a.compose(.sampledWithoutReplacement(samplingRate: 32.0 / 455, event: .gaussian(noiseMultiplier: 1.1)), count: 450)
        #expect(direct == (try a.epsilon(delta: 1e-5)))
        #expect(try run.epsilon(noiseMultiplier: 2.2, delta: 1e-5) == direct)
        #expect(throws: PrivacyAccountingError.self) { _ = try run.epsilon(noiseMultiplier: 2.2, delta: 1e-5, accountant: .pld) }
        let sigma = try run.calibrateNoiseMultiplier(targetEpsilon: 3, delta: 1e-5)
        #expect(try run.epsilon(noiseMultiplier: sigma, delta: 1e-5) <= 3)
        #expect(try run.epsilon(noiseMultiplier: sigma * (1 - 2e-4), delta: 1e-5) > 3)
    }
}

extension SampledWithoutReplacementTests {
    /// A vanishing σ gives an infinite bound (no guarantee), not NaN or a trap.
    @Test func tinyNoiseGivesInfiniteRDP() throws {
        let curve = try RDPAccountant.curve(of: .sampledWithoutReplacement(samplingRate: 0.1, event: .gaussian(noiseMultiplier: 1e-154)))
        #expect(curve.allSatisfy { !$0.isNaN && $0 > 1e100 })
    }
}

/// One step convention (issue 11, item 6): `dpflow budget`, `plan` and `run` count ceil(epochs·ceil(N/B)).
struct StepConventionTests {
    @Test func stepsAreEpochsTimesCeilNOverB() throws {
        let run = try DPSGDRun(examples: 455, batchSize: 32, epochs: 30)
        #expect(run.stepsPerEpoch == 15)
        #expect(run.steps == 450)          // not TF Privacy's ceil(30·455/32) = 427
        #expect(try DPSGDRun(examples: 60000, batchSize: 256, epochs: 60.0).steps == 14100)
        #expect(try DPSGDRun(examples: 100, batchSize: 10, epochs: 0.5).steps == 5)
    }

    @Test func overflowingEpochsThrowInsteadOfTrapping() {
        #expect(throws: PrivacyAccountingError.self) { _ = try DPSGDRun(examples: 455, batchSize: 32, epochs: Int.max) }
        #expect(throws: PrivacyAccountingError.self) { _ = try DPSGDRun(examples: 455, batchSize: 32, epochs: 1e300) }
    }
}
