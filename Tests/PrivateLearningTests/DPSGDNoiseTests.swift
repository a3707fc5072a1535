import DPTestSupport
import Foundation
import PrivateLearning
import Testing

@Suite("DP-SGD: noise generation")
struct DPSGDNoiseTests {
    /// Byte frequencies of 1 MiB of secure output: each of 256 values is Binomial(2²⁰, 1/256),
    /// mean 4096, sd ≈ 63.9; the χ² statistic with 255 degrees of freedom has mean 255 and sd
    /// √510 ≈ 22.6, so 255 + 6·22.6 ≈ 391 is exceeded by chance with probability < 1e-6.
    @Test("secure words are uniform bytes (χ² test)")
    func secureBytesUniform() {
        let n = 1 << 18
        var words = [UInt32](repeating: 0, count: n)
        words.withUnsafeMutableBufferPointer { SecureRandomSource().fillRandomWords($0) }
        var counts = [Int](repeating: 0, count: 256)
        for w in words { for s in stride(from: 0, to: 32, by: 8) { counts[Int((w >> UInt32(s)) & 255)] += 1 } }
        let expected = Double(4 * n) / 256
        let chi2 = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        #expect(chi2 < 391, "chi2 \(chi2)")
    }

    func standardNormalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// n = 200,000 draws from the ziggurat sampler.
    /// - mean: standard error 1/√n = 0.0022, allowed 5 → 0.011;
    /// - variance: standard error √(2/n) = 0.0032, allowed 5 → 0.016;
    /// - fourth moment (3): standard error √((105 − 9)/n) = 0.022, allowed 5 → 0.11;
    /// - tail |z| > 3.4426 (the ziggurat's tail path): expected n·5.76e-4 = 115, Poisson sd 10.7,
    ///   allowed 5 → ±54;
    /// - Kolmogorov–Smirnov distance: P(D > t) ≈ 2·exp(−2nt²); t = 0.0062 gives < 1e-6.
    @Test("ziggurat draws are standard normal", arguments: [false, true])
    func zigguratIsNormal(secure: Bool) {
        let n = 200_000
        let source: any NoiseSource = secure ? SecureRandomSource() : SeededRandomSource(seed: 77)
        var z = [Float](repeating: 0, count: n)
        source.addGaussianNoise(to: &z, standardDeviation: 1)
        let d = z.map(Double.init)
        let mean = d.reduce(0, +) / Double(n)
        let variance = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let fourth = d.reduce(0) { $0 + $1 * $1 * $1 * $1 } / Double(n)
        let tail = d.filter { abs($0) > 3.442619855899 }.count
        #expect(abs(mean) <= 5 / Double(n).squareRoot())
        #expect(abs(variance - 1) <= 5 * (2 / Double(n)).squareRoot())
        #expect(abs(fourth - 3) <= 5 * (96 / Double(n)).squareRoot())
        let expectedTail = Double(n) * erfc(3.442619855899 / 2.0.squareRoot())
        #expect(abs(Double(tail) - expectedTail) <= 5 * expectedTail.squareRoot())
        let sorted = d.sorted()
        var ks = 0.0
        for (i, x) in sorted.enumerated() {
            let f = standardNormalCDF(x)
            ks = max(ks, abs(f - Double(i) / Double(n)), abs(f - Double(i + 1) / Double(n)))
        }
        #expect(ks <= 0.0062, "KS distance \(ks)")
    }

    @Test("secure sources are independent: two instances never produce the same stream")
    func secureInstancesDiffer() {
        let a = SecureRandomSource(), b = SecureRandomSource()
        let xa = (0..<4).map { _ in a.next() }, xb = (0..<4).map { _ in b.next() }
        #expect(xa != xb)
    }

    @Test("seeded sources are reproducible")
    func seededReproducible() {
        var a = [Float](repeating: 0, count: 1000), b = a
        SeededRandomSource(seed: 5).addGaussianNoise(to: &a, standardDeviation: 2)
        SeededRandomSource(seed: 5).addGaussianNoise(to: &b, standardDeviation: 2)
        #expect(a == b)
    }
}
