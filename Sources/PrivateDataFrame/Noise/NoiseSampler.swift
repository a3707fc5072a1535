import Foundation

/// Draws Laplace and Gaussian noise from the configured source.
///
/// Continuous samplers in floating point (inverse CDF for Laplace, Box–Muller for Gaussian).
/// Known limitation: floating-point samplers leak through the low bits of their outputs
/// (Mironov 2012); discrete Laplace/Gaussian samplers (Canonne, Kamath & Steinke 2020) for
/// counts are a planned improvement.
struct NoiseSampler {
    private enum Source { case secure(BufferedSystemRandom), seeded(SplitMix64) }
    private var source: Source
    let isPrivate: Bool

    init(_ noise: ReleaseNoise) {
        switch noise {
        case .secure: source = .secure(BufferedSystemRandom()); isPrivate = true
        case let .seeded(s): source = .seeded(SplitMix64(seed: s)); isPrivate = false
        }
    }

    private mutating func bits() -> UInt64 {
        switch source {
        case var .secure(g): let x = g.next(); source = .secure(g); return x
        case var .seeded(g): let x = g.next(); source = .seeded(g); return x
        }
    }

    /// Uniform in the open interval (0, 1), 53 random bits.
    mutating func uniformOpen() -> Double {
        (Double(bits() >> 11) + 0.5) * 0x1p-53
    }

    /// Laplace(0, b): density exp(−|x|/b) / 2b; standard deviation b·√2.
    mutating func laplace(scale b: Double) -> Double {
        let u = uniformOpen() - 0.5
        return u < 0 ? b * Foundation.log(1 + 2 * u) : -b * Foundation.log(1 - 2 * u)
    }

    /// Normal(0, σ²) by Box–Muller.
    mutating func gaussian(std sigma: Double) -> Double {
        let u1 = uniformOpen(), u2 = uniformOpen()
        return sigma * (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// Discrete Laplace with P(k) ∝ e^(−ε|k|): the difference of two geometric variables with
    /// success probability 1 − e^(−ε) (inverse-CDF geometric sampling; integer output).
    mutating func discreteLaplace(epsilon: Double) -> Double {
        let logQ = -epsilon
        func geometric() -> Double { (Foundation.log(uniformOpen()) / logQ).rounded(.down) }
        return geometric() - geometric()
    }
}

/// Moments of the discrete Laplace distribution P(k) = (1 − q)/(1 + q) · q^|k|, q = e^(−ε).
enum DiscreteLaplace {
    /// √(2q) / (1 − q).
    static func standardDeviation(epsilon: Double) -> Double {
        let q = Foundation.exp(-epsilon)
        return (2 * q).squareRoot() / (1 - q)
    }

    /// The smallest k with P(|X| > k) = 2q^(k+1)/(1 + q) ≤ 0.05.
    static func halfWidth95(q: Double) -> Int {
        var k = 0
        var tail = 2 * q / (1 + q)                 // P(|X| > 0)
        while tail > 0.05 && k < 1 << 30 { k += 1; tail *= q }
        return k
    }
}
