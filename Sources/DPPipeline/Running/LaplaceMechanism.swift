import Foundation
import PrivateLearning

/// The Laplace mechanism for the pipeline's metric and column releases (pure ε-DP, δ = 0).
///
/// Noise `b·sign(u)·ln(1 − 2|u|)` with u uniform on (−½, ½) from the run's generator (secure by default).
/// Floating-point Laplace sampling is known to leak through low-order bits (Mironov 2012); the released values
/// are rounded to 1e-6 of the scale's unit to blunt this. A snapping or discrete mechanism may replace it later.
enum LaplaceMechanism {
    /// One Laplace draw of scale `b` (standard deviation b·√2).
    static func sample(scale b: Double, using generator: inout some RandomNumberGenerator) -> Double {
        var u = 0.0
        repeat { u = Double(generator.next() >> 11) * 0x1p-53 - 0.5 } while u == -0.5
        let magnitude = -b * Foundation.log(1 - 2 * Swift.abs(u))
        return u < 0 ? -magnitude : magnitude
    }

    /// `value + Laplace(sensitivity/ε)`, rounded to 1e-6.
    static func release(_ value: Double, sensitivity: Double, epsilon: Double,
                        using generator: inout some RandomNumberGenerator) -> (value: Double, scale: Double) {
        let scale = sensitivity / epsilon
        let noisy = value + sample(scale: scale, using: &generator)
        return ((noisy * 1e6).rounded() / 1e6, scale)
    }
}
