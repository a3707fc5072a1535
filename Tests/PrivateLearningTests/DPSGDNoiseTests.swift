import DPTestSupport
import Foundation
import PrivateLearning
import Testing

@Suite("DP-SGD: noise generation")
struct DPSGDNoiseTests {
    @Test("ChaCha20 block function matches RFC 8439 §2.3.2")
    func chachaKnownAnswer() {
        let key: [UInt32] = (0..<8).map { i in
            let b = UInt32(4 * i)
            return b | (b + 1) << 8 | (b + 2) << 16 | (b + 3) << 24
        }
        let out = ChaCha20.block(key: key, counter: 1, nonce: (0x0900_0000, 0x4a00_0000, 0))
        #expect(out == [0xe4e7_f110, 0x1559_3bd1, 0x1fdd_0f50, 0xc471_20a3,
                        0xc7f4_d1c7, 0x0368_c033, 0x9aaa_2204, 0x4e6c_d4c3,
                        0x4664_82d2, 0x09aa_9f07, 0x05d7_c214, 0xa202_8bd9,
                        0xd19c_12b5, 0xb94e_16de, 0xe883_d0cb, 0x4e3c_50a2])
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
        var a = SecureRandomSource(), b = SecureRandomSource()
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
