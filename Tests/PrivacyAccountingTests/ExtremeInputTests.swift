import Foundation
import Testing
@testable import PrivacyAccounting

/// Issue 12, class 1: absurd but syntactically valid numbers (σ = 1e-300, 2⁶³ − 1 steps …) end in a
/// finite ε, ε = ∞, or a typed error — never in a trap — for RDP, PLD and calibration.
@Suite struct ExtremeInputTests {
    static let sigmas: [Double] = [1e-300, 1e-154, 1e-20, 1e-3, 1e20, 1e154, 1e300]
    static let rates: [Double] = [0, Double.leastNonzeroMagnitude, 1e-300, 1e-10, 0.5, 1]
    static let stepCounts: [Int] = [0, 1, Int.max]

    /// ε is a number ≥ 0 (possibly +∞), or the call threw a `PrivacyAccountingError`.
    static func outcome(_ body: () throws -> Double) -> Result<Double, PrivacyAccountingError>? {
        do { return .success(try body()) } catch let e as PrivacyAccountingError { return .failure(e) } catch { return nil }
    }

    @Test(arguments: AccountantKind.allCases, sigmas)
    func epsilonNeverTraps(accountant: AccountantKind, sigma: Double) throws {
        for q in Self.rates {
            for steps in Self.stepCounts {
                let r = Self.outcome {
                    try epsilon(samplingRate: q, noiseMultiplier: sigma, steps: steps, delta: 1e-5, accountant: accountant)
                }
                switch r {
                case .success(let eps)?:
                    #expect(!eps.isNaN && eps >= 0, "q = \(q), σ = \(sigma), steps = \(steps): ε = \(eps)")
                    // Almost no noise on a large sampling rate must never look private. (With q ≤ 1e-10
                    // the run is (0, δ)-DP whatever σ: the example is used with probability ≪ δ.)
                    if sigma <= 1e-20, q >= 0.5, steps >= 1 { #expect(eps > 100, "σ = \(sigma), q = \(q): ε = \(eps)") }
                case .failure:
                    #expect(q == 0 || steps == 0 || accountant == .pld,
                            "RDP must answer valid parameters: q = \(q), σ = \(sigma), steps = \(steps)")
                case nil:
                    Issue.record("untyped error for q = \(q), σ = \(sigma), steps = \(steps)")
                }
            }
        }
    }

    @Test(arguments: sigmas)
    func rdpCurveIsNeverNaNOrNegative(sigma: Double) {
        for q in Self.rates + [-1, 2, .nan] {
            let curve = RDPAccountant.subsampledGaussianCurve(samplingRate: q, noiseMultiplier: sigma)
            for (alpha, r) in zip(RDPAccountant.defaultOrders, curve) {
                #expect(!r.isNaN && r >= 0, "q = \(q), σ = \(sigma), α = \(alpha): RDP = \(r)")
                // Subsampling never exceeds the full Gaussian mechanism's α/(2σ²).
                if q >= 0, q <= 1 { #expect(r <= alpha / (2 * sigma * sigma)) }
            }
        }
    }

    @Test func rdpAtExtremeOrdersIsAnUpperBound() {
        for alpha in [1e6, 1e6 + 0.5, 4e15 + 0.5, 1e300, .infinity] {
            let r = RDPAccountant.subsampledGaussianRDP(samplingRate: 0.01, noiseMultiplier: 1, order: alpha)
            #expect(!r.isNaN && r >= 0)
            #expect(r <= alpha / 2)
        }
    }

    /// (q, steps, target ε): every combination for RDP, the extreme corners for PLD (whose
    /// ordinary calibrations take seconds in debug builds; `epsilonNeverTraps` covers its ε).
    static func calibrationCases(_ accountant: AccountantKind) -> [(Double, Int, Double)] {
        // (A PLD calibration whose grid comes close to the 2²⁴-point limit takes minutes in debug
        // builds, e.g. q = 1e-10 with target 1e-300: slow, not a trap; not exercised here.)
        if accountant == .pld { return [(1e-300, Int.max, 1), (1, 1, 1e300), (0.5, Int.max, 1e-300)] }
        // q = 1e-300 takes ~1 s per calibration in debug builds (quadrature fallbacks): one case.
        var cases: [(Double, Int, Double)] = [(1e-300, Int.max, 1)]
        for q in [1e-10, 0.5, 1] {
            for steps in [1, Int.max] {
                for target in [1e-300, 1.0, 1e300] { cases.append((q, steps, target)) }
            }
        }
        return cases
    }

    @Test(arguments: AccountantKind.allCases)
    func calibrationNeverTraps(accountant: AccountantKind) {
        for (q, steps, target) in Self.calibrationCases(accountant) {
            let r = Self.outcome {
                try calibrateNoiseMultiplier(targetEpsilon: target, delta: 1e-5, samplingRate: q, steps: steps,
                                             accountant: accountant)
            }
            switch r {
            case .success(let sigma)?: #expect(sigma.isFinite && sigma > 0)
            case .failure?: break
            case nil: Issue.record("untyped error for q = \(q), steps = \(steps), target = \(target)")
            }
        }
    }

    @Test func runShapeOverflowIsATypedError() {
        #expect(throws: PrivacyAccountingError.self) {
            _ = try privacyBudget(examples: Int.max, batchSize: 1, noiseMultiplier: 1, epochs: 1e11, delta: 1e-5)
        }
        #expect(throws: PrivacyAccountingError.invalidEpochs(9.223372036854775807e18)) {
            _ = try privacyBudget(examples: 100, batchSize: 10, noiseMultiplier: 1, epochs: 9.223372036854775807e18,
                                  delta: 1e-5)
        }
        #expect(throws: PrivacyAccountingError.self) {
            _ = try calibrateNoiseMultiplier(targetEpsilon: 1, delta: 1e-5, examples: Int.max, batchSize: 1, epochs: 1e11)
        }
    }

    @Test func stepOverflowNamesTheSteps() {
        // `dpflow budget --examples 9223372036854775807 --batch-size 1 --epochs 2` said "epochs = 2.0 is invalid".
        do {
            _ = try DPSGDRun(examples: Int.max, batchSize: 1, epochs: 2.0)
            Issue.record("no error for 2 epochs of Int.max examples")
        } catch let error as PrivacyAccountingError {
            guard case .stepCountOverflow(let what) = error else { Issue.record("\(error)"); return }
            #expect(what.contains("2.0 epochs") && what.contains("batch size 1"), "\(what)")
        } catch {
            Issue.record("untyped error \(error)")
        }
    }

    @Test func budgetWithTinySigmaIsInfiniteNotACrash() throws {
        // `dpflow budget --noise-multiplier 1e-154` (issue 12).
        let b = try privacyBudget(examples: 60000, batchSize: 256, noiseMultiplier: 1e-154, epochs: 60, delta: 1e-5)
        #expect(b.epsilon == .infinity)
    }

    @Test func nestedCompositionCountOverflow() throws {
        let event = DPEvent.selfComposed(.selfComposed(.dpsgd(samplingRate: 0.01, noiseMultiplier: 1, steps: 1),
                                                       count: Int.max), count: Int.max)
        var pld = try PLDAccountant()
        #expect(throws: PrivacyAccountingError.self) { try pld.compose(event) }
        var rdp = try RDPAccountant()
        try rdp.compose(event)
        let eps = try rdp.epsilon(delta: 1e-5)
        #expect(!eps.isNaN && eps > 1e6)
        // ∞ · 0 must not become NaN: zero repetitions of an infinitely leaky event cost nothing.
        var zero = try RDPAccountant()
        try zero.compose(.selfComposed(.gaussian(noiseMultiplier: 1e-300), count: 0))
        try zero.compose(.gaussian(noiseMultiplier: 1e-300), count: 0)
        #expect(try zero.epsilon(delta: 1e-5) == 0)
    }

    @Test func maximumStepsWithHugeLimit() throws {
        let n = try maximumSteps(targetEpsilon: 1e6, delta: 1e-5, samplingRate: 1e-6, noiseMultiplier: 100, limit: Int.max)
        #expect(n > 0)
    }
}
