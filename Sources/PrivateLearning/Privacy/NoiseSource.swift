import Foundation

/// Source of the randomness DP-SGD needs: Poisson sampling decisions and Gaussian noise.
///
/// The default, `.secure`, draws from the operating system's CSPRNG. `.seeded(_:)` is
/// reproducible and therefore **not private**: a run using it is reported with
/// `TrainingHistory.isPrivate == false`.
public protocol NoiseSource: AnyObject, RandomNumberGenerator {
    /// True only for a cryptographically secure generator; DP guarantees require it.
    var isCryptographicallySecure: Bool { get }
}

extension NoiseSource where Self == SecureRandomSource {
    /// The operating system CSPRNG (`getrandom`), buffered 4 KiB at a time.
    public static var secure: SecureRandomSource { SecureRandomSource() }
}

extension NoiseSource where Self == SeededRandomSource {
    /// A reproducible xoshiro256** generator. Not secure: for tests only; marks a run not private.
    public static func seeded(_ seed: UInt64) -> SeededRandomSource { SeededRandomSource(seed: seed) }
}

extension NoiseSource {
    /// Adds independent `N(0, standardDeviation²)` noise to every element.
    ///
    /// Box–Muller in Double precision from 53-bit uniforms; each pair of uniforms gives two
    /// normals. Noise is computed in Double and rounded once to Float.
    public func addGaussianNoise(to values: inout [Float], standardDeviation: Double) {
        if standardDeviation == 0 || values.isEmpty { return }
        var generator = self
        let n = values.count
        values.withUnsafeMutableBufferPointer { p in
            var i = 0
            while i < n {
                let (z0, z1) = GaussianSampling.pair(using: &generator)
                p[i] += Float(z0 * standardDeviation)
                if i + 1 < n { p[i + 1] += Float(z1 * standardDeviation) }
                i += 2
            }
        }
    }
}

/// Standard-normal draws from a stream of uniform bits.
public enum GaussianSampling {
    /// Uniform on (0, 1], 53 bits.
    @inlinable
    public static func openUniform<G: RandomNumberGenerator>(using g: inout G) -> Double {
        Double((g.next() >> 11) &+ 1) * 0x1p-53
    }

    /// Two independent standard normals (Box–Muller).
    @inlinable
    public static func pair<G: RandomNumberGenerator>(using g: inout G) -> (Double, Double) {
        let u1 = openUniform(using: &g)
        let u2 = Double(g.next() >> 11) * 0x1p-53
        let r = (-2 * Foundation.log(u1)).squareRoot()
        let t = 2 * Double.pi * u2
        return (r * Foundation.cos(t), r * Foundation.sin(t))
    }

    /// One standard normal.
    @inlinable
    public static func standardNormal<G: RandomNumberGenerator>(using g: inout G) -> Double {
        pair(using: &g).0
    }
}
