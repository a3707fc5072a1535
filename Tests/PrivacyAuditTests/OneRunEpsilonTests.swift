import Foundation
import Testing
@testable import PrivacyAudit

@Suite struct OneRunEpsilonTests {
    @Test(arguments: [(100, 20), (1000, 200), (50, 2)])
    func allCorrectWithoutDeltaIsTheClosedForm(m: Int, r: Int) {
        // δ = 0, v = r: p-value = q^r with q = e^ε/(1+e^ε), so the bound solves q = p^{1/r}:
        // ε = log(q/(1−q)) when q > ½; below ½ even ε = 0 cannot be rejected and the bound is 0.
        let p = 0.05
        let q = pow(p, 1 / Double(r))
        let e = OneRunEpsilon.epsilon(examples: m, guesses: r, correct: r, delta: 0, pValue: p)
        #expect(abs(e - max(0, log(q / (1 - q)))) <= 1e-7)
    }

    @Test func pValueAtZeroEpsilonIsAFairCoinTail() {
        // ε = 0, δ = 0: guesses are fair coins, p = P[Bin(r, ½) ≥ v], summed term by term.
        for (r, v) in [(10, 7), (40, 30), (7, 0), (25, 25)] {
            var tail = 0.0
            for j in v...r { tail += exp(lgamma(Double(r + 1)) - lgamma(Double(j + 1)) - lgamma(Double(r - j + 1))) / pow(2, Double(r)) }
            #expect(abs(OneRunEpsilon.pValue(examples: 100, guesses: r, correct: v, epsilon: 0, delta: 0) - min(1, tail)) <= 1e-12)
        }
    }

    @Test func deltaOnlyWeakensTheBound() {
        let e0 = OneRunEpsilon.epsilon(examples: 1000, guesses: 200, correct: 180, delta: 0, pValue: 0.05)
        let e1 = OneRunEpsilon.epsilon(examples: 1000, guesses: 200, correct: 180, delta: 1e-5, pValue: 0.05)
        let e2 = OneRunEpsilon.epsilon(examples: 1000, guesses: 200, correct: 180, delta: 1e-3, pValue: 0.05)
        #expect(e0 >= e1 && e1 >= e2)
        #expect(e0 > e2)
    }

    @Test func tiesCountAgainstTheAuditor() throws {
        // All scores equal: the top cut takes non-members first and the bottom cut members first,
        // so no guess is correct while both groups have ≥ k examples.
        let r = try OneRunEpsilon.lowerBound(memberScores: [Double](repeating: 1, count: 30),
                                             nonMemberScores: [Double](repeating: 1, count: 30), delta: 0)
        #expect(r.epsilon == 0)
    }

    @Test func nullAndGaussianMechanismStayBelowTheTruth() throws {
        // Membership by fair coins, scores N(μ·member, 1). Each example's inclusion is then a
        // μ-GDP mechanism with exact ε(δ); the bound exceeds it (and, for μ = 0, exceeds 0) with
        // probability ≤ 0.05 per trial: over 10 trials each, P(≥ 3 violations) < 1.2e-2.
        let rng = TestRandom(seed: 77)
        for mu in [0.0, 2.0] {
            let truth = mu == 0 ? 0 : gaussianEpsilon(mu: mu, delta: 1e-5)
            var violations = 0
            var best = 0.0
            for _ in 0..<10 {
                var members = [Double](), nonMembers = [Double]()
                for _ in 0..<400 {
                    if rng.uniform() < 0.5 { members.append(rng.normal() + mu) } else { nonMembers.append(rng.normal()) }
                }
                let r = try OneRunEpsilon.lowerBound(memberScores: members, nonMemberScores: nonMembers, delta: 1e-5)
                if r.epsilon > truth { violations += 1 }
                best = max(best, r.epsilon)
            }
            #expect(violations <= 2, "μ = \(mu): truth \(truth), best bound \(best)")
        }
    }
}
