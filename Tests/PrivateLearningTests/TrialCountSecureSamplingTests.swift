import Foundation
import PrivacyAccounting
import PrivateLearning
import Testing

/// The number of trials of a private search is drawn with the secure generator (as `train.tune` does); its draws
/// must follow the declared distribution. χ² goodness of fit at p = 1e-4 (a correct sampler fails once in 10⁴ runs).
@Suite("Trial count drawn with the secure generator")
struct TrialCountSecureSamplingTests {
    @Test("K from SecureRandomSource follows the declared distribution (χ²)", arguments: [
        TrialCountDistribution.truncatedNegativeBinomial(shape: 1, gamma: 0.25),
        .truncatedNegativeBinomial(shape: 0, gamma: 0.2),
        .poisson(mean: 3),
    ])
    func secureDrawsFollowDistribution(_ dist: TrialCountDistribution) {
        var g = SecureRandomSource()
        #expect(g.isCryptographicallySecure)
        let n = 20_000
        var counts: [Int: Int] = [:]
        for _ in 0..<n { counts[dist.sample(using: &g), default: 0] += 1 }
        var statistic = 0.0, mass = 0.0, bins = 0
        var k = dist.minimum
        while dist.probability(k) * Double(n) >= 5 {
            let e = dist.probability(k) * Double(n), o = Double(counts[k] ?? 0)
            statistic += (o - e) * (o - e) / e
            mass += dist.probability(k)
            bins += 1
            k += 1
        }
        let tailExpected = (1 - mass) * Double(n)
        let tailObserved = Double(counts.filter { $0.key >= k }.values.reduce(0, +))
        statistic += (tailObserved - tailExpected) * (tailObserved - tailExpected) / tailExpected
        let df = Double(bins), z = 3.719   // bins + tail − 1 degrees of freedom
        let critical = df * pow(1 - 2 / (9 * df) + z * (2 / (9 * df)).squareRoot(), 3)
        #expect(statistic < critical, "χ² = \(statistic) ≥ \(critical) for \(dist.summary)")
        #expect(counts.keys.allSatisfy { $0 >= dist.minimum && $0 <= dist.maximumDraw })
    }
}
