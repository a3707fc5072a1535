import Foundation
import Testing
@testable import PrivacyAccounting

/// PLD against dp_accounting's PLDAccountant (d = 1e-4) and the analytic Gaussian mechanism.
@Suite struct PLDFixtureTests {
    let fixtures: AccountingFixtures
    init() throws { fixtures = try AccountingFixtures.load() }

    func event(for row: AccountingFixtures.PLDRow) -> DPEvent? {
        switch row.kind {
        case "poisson_gaussian":
            guard let q = row.q, let s = row.sigma, let n = row.steps else { return nil }
            return .dpsgd(samplingRate: q, noiseMultiplier: s, steps: n)
        case "poisson_laplace":
            guard let q = row.q, let b = row.scale, let n = row.steps else { return nil }
            return .selfComposed(.poissonSampled(samplingRate: q, event: .laplace(scale: b)), count: n)
        case "laplace":
            guard let b = row.scale, let n = row.steps else { return nil }
            return .selfComposed(.laplace(scale: b), count: n)
        case "composed":
            return .composed([.dpsgd(samplingRate: 0.01, noiseMultiplier: 1.1, steps: 1000),
                              .laplace(scale: 10), .gaussian(noiseMultiplier: 8)])
        default: return nil
        }
    }

    /// The issue asks for 1% of dp_accounting; we implement the same discretisation, so the
    /// remaining differences are FFT round-off and the tail-truncation order: 1e-4 relative.
    @Test func matchesDPAccountingPLD() throws {
        for row in fixtures.pld {
            let ev = try #require(event(for: row), "unknown fixture kind \(row.kind)")
            let pld = try PLDAccountant(discretization: row.discretization)
            let e = try pld.epsilon(for: ev, delta: row.delta)
            #expect(isClose(e, row.epsilon, rtol: 1e-4), "\(row.name): \(e) vs \(row.epsilon)")
        }
    }

    /// PLD ≤ RDP up to the discretisation error (≤ one grid step per composed mechanism is a
    /// generous bound on connect-the-dots' pessimism; we allow steps·d capped at 1% of ε).
    @Test func pldNotAboveRDP() throws {
        for row in fixtures.pld {
            guard let rdp = row.rdp_epsilon, let q = row.q, let s = row.sigma, let n = row.steps else { continue }
            let e = try epsilon(samplingRate: q, noiseMultiplier: s, steps: n, delta: row.delta, accountant: .pld)
            #expect(e <= rdp + min(Double(n) * row.discretization, 0.01 * rdp), "\(row.name): PLD \(e) > RDP \(rdp)")
        }
    }

    /// Un-subsampled Gaussian (k releases compose exactly to σ/√k): PLD is pessimistic (≥ exact)
    /// and within the discretisation error of the exact ε of Balle & Wang (2018). Connect-the-dots
    /// at q = 1 is exact at grid points, so ε is off by at most one grid step d = 1e-4 (plus 1e-9).
    @Test func pldRecoversAnalyticGaussian() throws {
        let pld = try PLDAccountant()
        for row in fixtures.analytic_gaussian {
            let e = try pld.epsilon(for: .selfComposed(.gaussian(noiseMultiplier: row.sigma), count: row.count),
                                    delta: row.delta)
            #expect(e >= row.epsilon - 1e-9, "σ=\(row.sigma) δ=\(row.delta): PLD \(e) below exact \(row.epsilon)")
            #expect(e <= row.epsilon + 1e-4 + 1e-9, "σ=\(row.sigma) δ=\(row.delta): PLD \(e) vs exact \(row.epsilon)")
        }
    }

    /// RDP is a valid upper bound on the exact ε of the Gaussian mechanism.
    @Test func rdpUpperBoundsAnalyticGaussian() throws {
        for row in fixtures.analytic_gaussian {
            let e = try epsilon(samplingRate: 1, noiseMultiplier: row.sigma, steps: row.count, delta: row.delta)
            #expect(e >= row.epsilon, "σ=\(row.sigma) δ=\(row.delta): RDP \(e) below exact \(row.epsilon)")
        }
    }

    /// δ(ε) of the composed PLD against dp_accounting's `get_delta` (same grid): 1e-4 relative,
    /// plus an absolute floor of 1e-11 — the FFT round-off of both implementations: each composed
    /// entry carries ~1e-16 absolute error (probabilities sum to 1) and δ sums ~1e5 tail entries.
    @Test func deltaForEpsilonMatchesDPAccounting() throws {
        for row in fixtures.pld_delta {
            var acc = try PLDAccountant()
            try acc.compose(.dpsgd(samplingRate: row.q, noiseMultiplier: row.sigma, steps: row.steps))
            let d = try acc.delta(epsilon: row.epsilon)
            #expect(isClose(d, row.delta, rtol: 1e-4, atol: 1e-11), "\(row): \(d)")
        }
    }

    /// Pessimism across grid widths: a coarser grid never reports a smaller ε (it rounds the same
    /// loss curve up more coarsely), and d = 1e-4 is within 1e-3 of d = 1e-5 here — the
    /// discretisation error that "never below the true ε" is measured against.
    @Test func coarserGridIsMorePessimistic() throws {
        let ev = DPEvent.dpsgd(samplingRate: 0.01, noiseMultiplier: 1.1, steps: 300)
        let e3 = try PLDAccountant(discretization: 1e-3).epsilon(for: ev, delta: 1e-5)
        let e4 = try PLDAccountant(discretization: 1e-4).epsilon(for: ev, delta: 1e-5)
        let e5 = try PLDAccountant(discretization: 1e-5).epsilon(for: ev, delta: 1e-5)
        #expect(e3 >= e4 && e4 >= e5)
        #expect(e4 - e5 < 1e-3)
    }

    /// Reference values from DP-NOTES (op_tensorflow docs, d = 1e-4 and d = 1e-5).
    @Test func opTensorflowPLD() throws {
        let ev = DPEvent.dpsgd(samplingRate: 4.0 / 100_000, noiseMultiplier: 1.2, steps: 500_000)
        let e4 = try PLDAccountant(discretization: 1e-4).epsilon(for: ev, delta: 1e-5)
        #expect(abs(e4 - 0.1226) < 5e-5)
    }

    /// δ(ε) and ε(δ) are inverse to each other on the composed PLD.
    @Test func deltaEpsilonRoundTrip() throws {
        var acc = try PLDAccountant()
        try acc.compose(.dpsgd(samplingRate: 0.01, noiseMultiplier: 1.1, steps: 1000))
        let eps = try acc.epsilon(delta: 1e-5)
        let d = try acc.delta(epsilon: eps)
        #expect(d <= 1e-5 * (1 + 1e-9))
        #expect(try acc.delta(epsilon: eps - 1e-3) > 1e-5)
    }
}
