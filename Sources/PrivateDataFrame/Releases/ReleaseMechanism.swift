import Foundation

/// The noise mechanism of a DP release.
public enum ReleaseMechanism: Sendable, Equatable, Hashable {
    /// Laplace noise with scale Δ₁/ε (pure ε-DP, δ = 0). Δ₁ is the L1 sensitivity under
    /// add/remove-one-row, derived from the schema. Integer counts (count, histogram,
    /// confusion matrix) use the discrete Laplace mechanism with P(k) ∝ e^(−ε|k|) instead.
    case laplace
    /// Gaussian noise with σ from the **analytic Gaussian mechanism** (Balle & Wang 2018): the
    /// smallest σ with Φ(Δ/2σ − εσ/Δ) − e^ε Φ(−Δ/2σ − εσ/Δ) ≤ δ, for the L2 sensitivity Δ₂.
    /// Valid for every ε > 0 (the classic √(2 ln(1.25/δ))·Δ/ε needs ε < 1).
    case gaussian(delta: Double)

    public var name: String {
        switch self {
        case .laplace: return "laplace"
        case .gaussian: return "gaussian (analytic)"
        }
    }

    var delta: Double {
        if case let .gaussian(d) = self { return d }
        return 0
    }

    /// The mechanism with half the δ, for releases that spend half their budget on each of two
    /// noisy statistics.
    var halved: ReleaseMechanism {
        if case let .gaussian(d) = self { return .gaussian(delta: d / 2) }
        return self
    }

    /// Noise scale for sensitivities (Δ₁, Δ₂) at ε: returns (the parameter, the std).
    func calibrate(epsilon: Double, l1: Double, l2: Double) -> (parameter: Double, std: Double) {
        switch self {
        case .laplace:
            let b = l1 / epsilon
            return (b, b * 2.0.squareRoot())
        case let .gaussian(delta):
            let s = Self.analyticGaussianSigma(epsilon: epsilon, delta: delta, sensitivity: l2)
            return (s, s)
        }
    }

    /// Half-width of the central 95% interval of the noise.
    func halfWidth95(parameter: Double) -> Double {
        switch self {
        case .laplace: return parameter * Foundation.log(20)      // P(|L| > b ln 20) = 0.05
        case .gaussian: return 1.959963984540054 * parameter
        }
    }

    /// δ(σ) of the Gaussian mechanism with sensitivity Δ at ε (Balle & Wang 2018, Thm 8).
    static func gaussianDelta(sigma: Double, epsilon: Double, sensitivity: Double) -> Double {
        func phi(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
        let a = sensitivity / (2 * sigma), b = epsilon * sigma / sensitivity
        let second = Foundation.exp(epsilon + Foundation.log(max(phi(-a - b), .leastNonzeroMagnitude)))
        return phi(a - b) - (phi(-a - b) == 0 ? 0 : second)
    }

    /// The smallest σ (to relative precision 1e-10, rounded up) with δ(σ) ≤ δ.
    static func analyticGaussianSigma(epsilon: Double, delta: Double, sensitivity: Double) -> Double {
        var lo = 1e-8 * sensitivity, hi = sensitivity
        while gaussianDelta(sigma: hi, epsilon: epsilon, sensitivity: sensitivity) > delta { hi *= 2 }
        while gaussianDelta(sigma: lo, epsilon: epsilon, sensitivity: sensitivity) <= delta && lo > 1e-300 { lo /= 2 }
        for _ in 0..<200 where (hi - lo) > 1e-10 * hi {
            let mid = (lo + hi) / 2
            if gaussianDelta(sigma: mid, epsilon: epsilon, sensitivity: sensitivity) > delta { lo = mid } else { hi = mid }
        }
        return hi
    }
}
