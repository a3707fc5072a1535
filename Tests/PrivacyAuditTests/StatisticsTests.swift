import Foundation
import PrivateLearning
import Testing
@testable import PrivacyAudit

@Suite struct IncompleteBetaTests {
    @Test(arguments: [0.01, 0.2, 0.5, 0.77, 0.999])
    func closedFormsHold(x: Double) {
        // I_x(1, b) = 1 − (1 − x)^b and I_x(a, 1) = x^a (direct integration of the Beta density).
        for b in [1.0, 2.5, 7, 40] {
            let exact = -expm1(b * log1p(-x))
            #expect(abs(IncompleteBeta.regularized(x: x, a: 1, b: b) - exact) <= 1e-12 * max(1, exact))
            let exactA = pow(x, b)
            #expect(abs(IncompleteBeta.regularized(x: x, a: b, b: 1) - exactA) <= 1e-12 * max(1e-300, exactA) + 1e-15)
        }
    }

    @Test func symmetricCaseIsOneHalf() {
        for a in [0.5, 1, 3, 17.5, 400] {
            #expect(abs(IncompleteBeta.regularized(x: 0.5, a: a, b: a) - 0.5) <= 1e-12)
        }
    }

    @Test func equalsTheBinomialTail() {
        // P(X ≥ k) for X ~ Bin(n, p) equals I_p(k, n − k + 1); the tail is summed term by term.
        let n = 30
        for p in [0.03, 0.3, 0.8] {
            for k in [1, 5, 15, 29, 30] {
                var tail = 0.0
                for j in k...n {
                    let logC = lgamma(Double(n + 1)) - lgamma(Double(j + 1)) - lgamma(Double(n - j + 1))
                    tail += exp(logC + Double(j) * log(p) + Double(n - j) * log1p(-p))
                }
                let value = IncompleteBeta.regularized(x: p, a: Double(k), b: Double(n - k + 1))
                #expect(abs(value - tail) <= 1e-12 + 1e-10 * tail, "n=\(n) k=\(k) p=\(p)")
            }
        }
    }

    @Test func quantileInvertsTheCDF() {
        for (a, b) in [(1.0, 1.0), (2.0, 9.0), (50.0, 3.0), (500.0, 700.0), (1.0, 100_000.0)] {
            for p in [1e-6, 0.025, 0.5, 0.975, 1 - 1e-6] {
                let x = IncompleteBeta.quantile(p: p, a: a, b: b)
                #expect(abs(IncompleteBeta.regularized(x: x, a: a, b: b) - p) <= 1e-9, "a=\(a) b=\(b) p=\(p)")
            }
        }
    }
}

@Suite struct ClopperPearsonTests {
    @Test(arguments: [1, 10, 1000])
    func zeroAndFullCountsMatchClosedForms(n: Int) {
        // upper(0, n) = 1 − α^{1/n}: the quantile path must agree with the closed form.
        let alpha = 0.025
        let closed = 1 - pow(alpha, 1 / Double(n))
        #expect(abs(ClopperPearson.upperBound(successes: 0, trials: n, alpha: alpha) - closed) <= 1e-14)
        #expect(abs(IncompleteBeta.quantile(p: 1 - alpha, a: 1, b: Double(n)) - closed) <= 1e-12)
        let lower = pow(alpha, 1 / Double(n))
        #expect(abs(ClopperPearson.lowerBound(successes: n, trials: n, alpha: alpha) - lower) <= 1e-14)
        #expect(abs(IncompleteBeta.quantile(p: alpha, a: Double(n), b: 1) - lower) <= 1e-12)
    }

    @Test func boundsBracketTheEstimateAndMirror() {
        // Symmetry: upper(k, n) = 1 − lower(n − k, n).
        for (k, n) in [(3, 10), (50, 100), (999, 1000), (1, 7)] {
            let up = ClopperPearson.upperBound(successes: k, trials: n, alpha: 0.05)
            let low = ClopperPearson.lowerBound(successes: n - k, trials: n, alpha: 0.05)
            #expect(abs(up - (1 - low)) <= 1e-12)
            #expect(up > Double(k) / Double(n))
        }
    }

    @Test func exactCoverageIsAtLeastNominal() {
        // The exact miss probability of the upper bound, Σ_{k: upper(k) < p} Bin(k; n, p), must
        // be ≤ α for every p (that is the Clopper–Pearson guarantee).
        let n = 50, alpha = 0.05
        for p in stride(from: 0.01, through: 0.99, by: 0.0137) {
            var miss = 0.0
            for k in 0...n where ClopperPearson.upperBound(successes: k, trials: n, alpha: alpha) < p {
                let logC = lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
                miss += exp(logC + Double(k) * log(p) + Double(n - k) * log1p(-p))
            }
            #expect(miss <= alpha + 1e-12, "p=\(p)")
        }
    }

    @Test func simulatedFailuresMatchTheExactMissProbability() {
        // 400 seeded experiments of Bin(50, 0.3); failures ~ Bin(400, f) with f the exact miss
        // probability; accept |failures − 400f| ≤ 4·sqrt(400 f (1 − f)) + 1 (4 sd, P(out) < 1e-4).
        let n = 50, p = 0.3, alpha = 0.05
        var f = 0.0
        for k in 0...n where ClopperPearson.upperBound(successes: k, trials: n, alpha: alpha) < p {
            let logC = lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
            f += exp(logC + Double(k) * log(p) + Double(n - k) * log1p(-p))
        }
        let rng = SeededRandomSource(seed: 11)
        var failures = 0
        for _ in 0..<400 {
            var k = 0
            for _ in 0..<n where Double(rng.next() >> 11) / 9007199254740992.0 < p { k += 1 }
            if ClopperPearson.upperBound(successes: k, trials: n, alpha: alpha) < p { failures += 1 }
        }
        #expect(abs(Double(failures) - 400 * f) <= 4 * (400 * f * (1 - f)).squareRoot() + 1)
    }
}
