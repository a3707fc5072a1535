import Foundation
import Testing
@testable import PrivacyAccounting

/// Closed forms, monotonicity and edge cases, for both accountants.
@Suite struct AccountingPropertyTests {
    /// q = 1: RDP of the Gaussian is α/(2σ²) exactly, at every order.
    @Test func fullBatchClosedForm() {
        for a in RDPAccountant.defaultOrders {
            let r = RDPAccountant.subsampledGaussianRDP(samplingRate: 1, noiseMultiplier: 1.7, order: a)
            #expect(r == a / (2 * 1.7 * 1.7))
        }
        // Composition of k Gaussians is the Gaussian with σ/√k.
        let c = try? RDPAccountant.curve(of: .selfComposed(.gaussian(noiseMultiplier: 2), count: 4))
        let d = try? RDPAccountant.curve(of: .gaussian(noiseMultiplier: 1))
        #expect(c != nil && c == d)
    }

    /// The integer-order series at q → 1 approaches the closed form (continuity check of the
    /// log-space series): q = 1 − 1e-9 differs from α/(2σ²) by O(1e-9·α) relatively.
    @Test func nearlyFullBatchIsContinuous() {
        for a in [2.0, 3.5, 8.0, 32.0] {
            let r = RDPAccountant.subsampledGaussianRDP(samplingRate: 1 - 1e-9, noiseMultiplier: 2, order: a)
            let exact = a / 8
            #expect(r <= exact * (1 + 1e-12) && r >= exact * (1 - 1e-6), "α=\(a): \(r) vs \(exact)")
        }
    }

    /// RDP is non-decreasing in the order α (van Erven & Harremoës 2014) — across the switch
    /// between fractional series, quadrature and integer series.
    @Test(arguments: [(1e-5, 10.0), (1e-3, 1.1), (0.01, 0.8), (0.1, 2.0), (0.5, 0.5), (0.9, 1.0),
                      (1e-12, 0.3), (1e-8, 50.0), (0.999, 0.3), (1e-3, 0.2)])
    func rdpMonotoneInOrder(q: Double, sigma: Double) {
        let curve = RDPAccountant.subsampledGaussianCurve(samplingRate: q, noiseMultiplier: sigma)
        for k in 1..<curve.count {
            #expect(curve[k] >= curve[k - 1] * (1 - 1e-9), "q=\(q) σ=\(sigma) at α=\(RDPAccountant.defaultOrders[k])")
        }
    }

    /// ε grows with steps and q and falls with σ, for both accountants.
    @Test(arguments: AccountantKind.allCases)
    func epsilonMonotonicity(accountant: AccountantKind) throws {
        func eps(_ q: Double, _ s: Double, _ n: Int) throws -> Double {
            try epsilon(samplingRate: q, noiseMultiplier: s, steps: n, delta: 1e-5, accountant: accountant)
        }
        var last = 0.0
        for n in [1, 10, 100, 1000] { let e = try eps(0.01, 1.0, n); #expect(e > last); last = e }
        last = 0
        for q in [0.001, 0.01, 0.1, 1.0] { let e = try eps(q, 1.0, 10); #expect(e > last); last = e }
        last = .infinity
        for s in [0.6, 0.9, 1.5, 3.0] { let e = try eps(0.01, s, 100); #expect(e < last); last = e }
    }

    /// Edge cases: one step, q = 1, huge σ (ε → 0 but stays ≥ 0 and finite).
    @Test(arguments: AccountantKind.allCases)
    func edgeCases(accountant: AccountantKind) throws {
        let one = try epsilon(samplingRate: 1, noiseMultiplier: 1, steps: 1, delta: 1e-5, accountant: accountant)
        #expect(one > 4.37 && one < 4.73)   // exact 4.3772 ≤ PLD ≤ RDP 4.7285
        let huge = try epsilon(samplingRate: 0.01, noiseMultiplier: 1e3, steps: 100, delta: 1e-5, accountant: accountant)
        // RDP's largest default order 1024 floors ε at ≈ log(1/δ)/1023 = 0.0113; PLD goes lower.
        #expect(huge >= 0 && huge < (accountant == .rdp ? 0.012 : 1e-3))
        let tinyQ = try epsilon(samplingRate: 1e-6, noiseMultiplier: 1, steps: 1, delta: 1e-5, accountant: accountant)
        #expect(tinyQ >= 0 && tinyQ < 1e-3)
    }

    /// The fractional-order fallback is a provable upper bound: RDP(α) ≤ RDP(⌈α⌉).
    @Test func fractionalBelowCeilingOrder() {
        for (q, s) in [(0.3, 0.5), (0.01, 1.1), (0.9, 0.7)] {
            for a in stride(from: 1.1, through: 10.9, by: 0.4) {
                let r = RDPAccountant.subsampledGaussianRDP(samplingRate: q, noiseMultiplier: s, order: a)
                let up = RDPAccountant.subsampledGaussianRDP(samplingRate: q, noiseMultiplier: s, order: a.rounded(.up))
                #expect(r <= up * (1 + 1e-12))
            }
        }
    }

    /// Exact Laplace RDP (Mironov 2017): tends to ε₀ = 1/b as α → ∞ and is ≤ dp_accounting's
    /// bound min(1/b, α/(2b²)).
    @Test func laplaceRDP() {
        for b in [0.5, 1.0, 4.0] {
            for a in RDPAccountant.defaultOrders {
                let r = RDPAccountant.laplaceRDP(scale: b, order: a)
                #expect(r <= min(1 / b, a / (2 * b * b)) * (1 + 1e-12))
            }
            #expect(abs(RDPAccountant.laplaceRDP(scale: b, order: 1e6) - 1 / b) < 1e-4)
        }
    }

    @Test func privacyBudgetUsesTFPrivacyConvention() throws {
        let b = try privacyBudget(examples: 60000, batchSize: 256, noiseMultiplier: 1.1, epochs: 60, delta: 1e-5,
                                  accountant: .pld)
        #expect(b.steps == 14063)   // ceil(60·60000/256) = ceil(14062.5)
        #expect(b.samplingRate == 256.0 / 60000)
        #expect(b.accountant == .pld)
        #expect(abs(b.epsilon - 2.3818) < 5e-5)
        #expect(b.description.contains("pld") && b.description.contains("14063 steps"))
    }
}

/// The protocol view agrees with the free functions, and composition is order-independent.
@Suite struct PrivacyAccountantProtocolTests {
    @Test(arguments: AccountantKind.allCases)
    func protocolMatchesFreeFunction(kind: AccountantKind) throws {
        var acc = kind.makeAccountant()
        #expect(acc.kind == kind)
        try acc.compose(.poissonSampled(samplingRate: 0.02, event: .gaussian(noiseMultiplier: 1.3)), count: 300)
        let viaProtocol = try acc.epsilon(delta: 1e-6)
        let direct = try epsilon(samplingRate: 0.02, noiseMultiplier: 1.3, steps: 300, delta: 1e-6, accountant: kind)
        #expect(isClose(viaProtocol, direct, rtol: 1e-9))
    }

    /// A training run followed by two releases gives the same ε whichever order they are composed in.
    @Test(arguments: AccountantKind.allCases)
    func compositionOrderDoesNotMatter(kind: AccountantKind) throws {
        let run = DPEvent.dpsgd(samplingRate: 0.01, noiseMultiplier: 1.1, steps: 200)
        var a = kind.makeAccountant(), b = kind.makeAccountant()
        try a.compose(.composed([run, .gaussian(noiseMultiplier: 4), .laplace(scale: 20)]), count: 1)
        try b.compose(.laplace(scale: 20), count: 1)
        try b.compose(.gaussian(noiseMultiplier: 4), count: 1)
        try b.compose(run, count: 1)
        // PLD: each composition truncates ≤ 1e-15 of mass at different places; ε moves far less than 1e-6.
        #expect(isClose(try a.epsilon(delta: 1e-5), try b.epsilon(delta: 1e-5), rtol: 1e-6))
        // Releases cost privacy: the composition exceeds the run alone.
        #expect(try a.epsilon(delta: 1e-5) > epsilon(samplingRate: 0.01, noiseMultiplier: 1.1, steps: 200,
                                                      delta: 1e-5, accountant: kind))
    }
}

/// The cancellation guard of the fractional series falls back to RDP(⌈α⌉), a provable upper bound.
@Suite struct CancellationFallbackTests {
    @Test(arguments: [(0.1, 1.0, 2.5), (0.01, 0.7, 1.3), (0.5, 2.0, 7.7)])
    func forcedFallbackIsCeilingOrderBound(q: Double, sigma: Double, alpha: Double) {
        // A required gap of 100% of P can never be met, so the guard must take the fallback.
        let forced = SubsampledGaussianRDP.logAFractional(q: q, sigma: sigma, alpha: alpha, minimumRelativeGap: 1)
        let rdpForced = forced / (alpha - 1)
        let ceiling = RDPAccountant.subsampledGaussianRDP(samplingRate: q, noiseMultiplier: sigma, order: alpha.rounded(.up))
        let exact = RDPAccountant.subsampledGaussianRDP(samplingRate: q, noiseMultiplier: sigma, order: alpha)
        #expect(isClose(rdpForced, ceiling, rtol: 1e-12))
        #expect(rdpForced >= exact)
    }
}
