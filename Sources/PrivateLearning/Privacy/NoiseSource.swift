import Foundation

/// Source of the randomness DP-SGD needs: Poisson sampling decisions and Gaussian noise.
///
/// The default, `.secure`, is an AES-256 counter-mode keystream (swift-crypto/BoringSSL) keyed from the
/// operating system's CSPRNG (`getrandom(2)`), with fast key erasure; see `SecureRandomSource`.
/// `.seeded(_:)` is reproducible and therefore **not private**: a run using it is reported
/// with `TrainingHistory.isPrivate == false`.
public protocol NoiseSource: AnyObject, RandomNumberGenerator {
    /// True only for a cryptographically secure generator; DP guarantees require it.
    var isCryptographicallySecure: Bool { get }
    /// Fills `buffer` with uniformly random 32-bit words (bulk path for Gaussian noise).
    func fillRandomWords(_ buffer: UnsafeMutableBufferPointer<UInt32>)
}

extension NoiseSource {
    /// Default: two words per `next()`.
    public func fillRandomWords(_ buffer: UnsafeMutableBufferPointer<UInt32>) {
        var g = self
        var i = 0
        while i < buffer.count {
            let v = g.next()
            buffer[i] = UInt32(truncatingIfNeeded: v)
            if i + 1 < buffer.count { buffer[i + 1] = UInt32(truncatingIfNeeded: v >> 32) }
            i += 2
        }
    }

    /// Adds independent `N(0, standardDeviation²)` noise to every element (ziggurat method,
    /// one 32-bit word per draw on the fast path; see `GaussianSampling`).
    public func addGaussianNoise(to values: inout [Float], standardDeviation: Double) {
        if standardDeviation == 0 || values.isEmpty { return }
        values.withUnsafeMutableBufferPointer { p in
            GaussianSampling.addNoise(to: p, standardDeviation: Float(standardDeviation), source: self)
        }
    }
}

extension NoiseSource {
    /// A new stream for another thread: a fresh `SecureRandomSource` when this source is
    /// secure, otherwise a `SeededRandomSource` seeded from this stream (reproducible).
    public func independentStream() -> any NoiseSource {
        if isCryptographicallySecure { return SecureRandomSource() }
        var g = self
        return SeededRandomSource(seed: g.next())
    }
}

extension NoiseSource where Self == SecureRandomSource {
    /// An AES-256 keystream keyed from `getrandom`: cryptographically secure (the default).
    public static var secure: SecureRandomSource { SecureRandomSource() }
}

extension NoiseSource where Self == SeededRandomSource {
    /// A reproducible xoshiro256** generator. Not secure: for tests only; marks a run not private.
    public static func seeded(_ seed: UInt64) -> SeededRandomSource { SeededRandomSource(seed: seed) }
}
