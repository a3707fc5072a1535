import Foundation
import Testing
@testable import PrivacyAccounting

@Suite struct CalibrationTests {
    /// The calibrated σ meets the target (never overshoots) and is minimal to 1e-4 relative:
    /// σ·(1 − 2e-4) lies below the returned bracket end, so its ε must exceed the target.
    /// (PLD cases use a short run: each PLD evaluation is ~50× slower in debug builds.)
    @Test(arguments: [(1.0, AccountantKind.rdp, 60000, 256, 10.0), (3.0, .rdp, 60000, 256, 10.0),
                      (8.0, .rdp, 60000, 256, 10.0), (0.5, .rdp, 1000, 1000, 3.0),
                      (3.0, .pld, 1000, 50, 5.0), (1.0, .pld, 1000, 1000, 1.0)])
    func calibratedSigmaIsTightAndSafe(target: Double, accountant: AccountantKind, n: Int, b: Int,
                                       epochs: Double) throws {
        let sigma = try calibrateNoiseMultiplier(targetEpsilon: target, delta: 1e-5, examples: n, batchSize: b,
                                                 epochs: epochs, accountant: accountant)
        let at = try privacyBudget(examples: n, batchSize: b, noiseMultiplier: sigma, epochs: epochs, delta: 1e-5,
                                   accountant: accountant).epsilon
        #expect(at <= target)
        let below = try privacyBudget(examples: n, batchSize: b, noiseMultiplier: sigma * (1 - 2e-4), epochs: epochs,
                                      delta: 1e-5, accountant: accountant).epsilon
        #expect(below > target)
    }

    /// PLD is tighter, so it needs no more noise than RDP for the same target.
    @Test func pldNeedsLessNoise() throws {
        let r = try calibrateNoiseMultiplier(targetEpsilon: 2, delta: 1e-5, examples: 1000, batchSize: 50, epochs: 5)
        let p = try calibrateNoiseMultiplier(targetEpsilon: 2, delta: 1e-5, examples: 1000, batchSize: 50, epochs: 5,
                                             accountant: .pld)
        #expect(p <= r)
    }

    /// The largest step count stays within budget and one more step exceeds it.
    @Test func maximumStepsIsTight() throws {
        let steps = try maximumSteps(targetEpsilon: 1, delta: 1e-5, samplingRate: 0.01, noiseMultiplier: 1.1)
        #expect(steps > 0)
        #expect(try epsilon(samplingRate: 0.01, noiseMultiplier: 1.1, steps: steps, delta: 1e-5) <= 1)
        #expect(try epsilon(samplingRate: 0.01, noiseMultiplier: 1.1, steps: steps + 1, delta: 1e-5) > 1)
        let epochs = try maximumEpochs(targetEpsilon: 1, delta: 1e-5, examples: 10000, batchSize: 100, noiseMultiplier: 1.1)
        #expect(epochs == Double(steps) / 100)
    }

    @Test func unreachableTargetThrows() {
        #expect(throws: PrivacyAccountingError.self) {
            // Full-batch, one million steps at ε = 1e-4 would need σ far above 1e4.
            _ = try calibrateNoiseMultiplier(targetEpsilon: 1e-4, delta: 1e-10, samplingRate: 1, steps: 1_000_000)
        }
    }
}
