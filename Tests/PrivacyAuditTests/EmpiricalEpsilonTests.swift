import Foundation
import Testing
@testable import PrivacyAudit

@Suite struct EmpiricalEpsilonTests {
    @Test(arguments: [10, 100, 1000, 10_000])
    func perfectAttackGivesTheClosedForm(n: Int) throws {
        // TP = n, FP = 0: both rates have 0 errors in n trials, so with α/2 each the upper bound
        // is u = 1 − (α/2)^{1/n} and ε = log((1 − δ − u)/u) ≈ log(n / ln(2/α)) for large n.
        let delta = 1e-5, confidence = 0.95
        let u = -expm1(log((1 - confidence) / 2) / Double(n))
        let r = try EmpiricalEpsilon.lowerBound(truePositives: n, falsePositives: 0, members: n, nonMembers: n,
                                                delta: delta, confidence: confidence)
        #expect(abs(r.epsilon - log((1 - delta - u) / u)) <= 1e-12)
        #expect(r.pointEstimate == .infinity)
        // log(n)-ish. With L = ln(2/α): 1/u = n/L + ½ + O(1/n), so ε = log(n/L) − L/(2n) − δ + O(1/n²);
        // allow twice the first-order term.
        let L = log(2 / (1 - confidence))
        #expect(abs(r.epsilon - log(Double(n) / L)) <= L / Double(n) + 2 * delta)
    }

    @Test func perfectCurveUsesBonferroni() throws {
        let n = 200
        let roc = try ROCCurve(memberScores: (0..<n).map { Double($0) + 1000 }, nonMemberScores: (0..<n).map(Double.init))
        let r = try EmpiricalEpsilon.lowerBound(roc: roc, delta: 0, confidence: 0.9)
        // 2n + 1 points minus the two end points; each rate's α/2 is shared among its n + 1 counts.
        #expect(r.thresholdsExamined == 2 * n - 1)
        #expect(r.falsePositiveRateCorrection == n + 1 && r.falseNegativeRateCorrection == n + 1)
        let u = -expm1(log(0.1 / 2 / Double(n + 1)) / Double(n))
        #expect(abs(r.epsilon - log((1 - u) / u)) <= 1e-12)
        #expect(r.threshold == 1000)
        let uncorrected = try EmpiricalEpsilon.lowerBound(roc: roc, delta: 0, confidence: 0.9, correction: .none)
        #expect(uncorrected.epsilon > r.epsilon)
        #expect(uncorrected.falsePositiveRateCorrection == 1)
    }

    @Test func identicalDistributionsRarelyProveAnything() throws {
        // Under identical distributions every threshold has FPR + FNR = 1, so ε_lb > 0 needs a
        // Clopper–Pearson failure: probability ≤ 1 − confidence = 0.05 per trial. Positives in
        // 20 seeded trials ~ Bin(20, ≤ 0.05): P(≥ 5) < 3e-3.
        let rng = TestRandom(seed: 21)
        var positives = 0
        for _ in 0..<20 {
            let a = (0..<300).map { _ in rng.normal() }, b = (0..<300).map { _ in rng.normal() }
            let r = try EmpiricalEpsilon.lowerBound(roc: ROCCurve(memberScores: a, nonMemberScores: b), delta: 1e-5)
            if r.epsilon > 0 { positives += 1 }
            #expect(r.pointEstimate >= r.epsilon)
        }
        #expect(positives < 5)
    }

    @Test func gaussianMechanismIsBoundedAndDetected() throws {
        // Scores N(μ, 1) for members and N(0, 1) for non-members: the test is μ-GDP, with exact
        // ε(δ) from `gaussianEpsilon`. Soundness: ε_lb > ε(δ) needs a CP failure (≤ 5 % per
        // trial); 10 trials → violations ~ Bin(10, ≤ 0.05), so P(≥ 3) < 1.2e-2: allow ≤ 2.
        // Power (derived, not observed): at the fixed threshold μ/2 both error rates are
        // Φ(−μ/2); with n = 1000 the counts exceed 1000·Φ(−μ/2) + 4·sd with probability < 1e-4,
        // and the best threshold is at least as good, so ε_lb ≥ log((1 − δ − u)/u) with u the
        // CP upper bound (at the simultaneous α/(2(n+1))) of that 4-sd count.
        let mu = 3.0, delta = 1e-5, n = 1000
        let truth = gaussianEpsilon(mu: mu, delta: delta)
        let rng = TestRandom(seed: 5)
        var violations = 0
        for _ in 0..<10 {
            let members = (0..<n).map { _ in rng.normal() + mu }, nonMembers = (0..<n).map { _ in rng.normal() }
            let roc = try ROCCurve(memberScores: members, nonMemberScores: nonMembers)
            let r = try EmpiricalEpsilon.lowerBound(roc: roc, delta: delta)
            if r.epsilon > truth { violations += 1 }
            let p = normalCDF(-mu / 2)
            let count = Int((Double(n) * p + 4 * (Double(n) * p * (1 - p)).squareRoot()).rounded(.up))
            let u = ClopperPearson.upperBound(successes: count, trials: n, alpha: 0.05 / 2 / Double(n + 1))
            #expect(r.epsilon >= log((1 - delta - u) / u))
        }
        #expect(violations <= 2)
    }

    @Test func rejectsBadParameters() {
        #expect(throws: PrivacyAuditError.self) {
            try EmpiricalEpsilon.lowerBound(truePositives: 1, falsePositives: 0, members: 1, nonMembers: 1, delta: 1)
        }
        #expect(throws: PrivacyAuditError.self) {
            try EmpiricalEpsilon.lowerBound(truePositives: 1, falsePositives: 0, members: 1, nonMembers: 1,
                                            delta: 1e-5, confidence: 1)
        }
        #expect(throws: PrivacyAuditError.self) {
            try EmpiricalEpsilon.lowerBound(truePositives: 3, falsePositives: 0, members: 2, nonMembers: 1, delta: 1e-5)
        }
    }
}
