extension ReleaseNoise {
    /// `value + Z` with Z exact discrete Gaussian N_Z(0, σ²), σ a whole number of units (Canonne, Kamath &
    /// Steinke 2020; integer arithmetic only). For a count of sensitivity 1 this is a Gaussian mechanism whose
    /// RDP is at most α/(2σ²) at every order α (the discrete Gaussian is (1/2σ²)-zCDP, as the continuous one).
    /// - Parameter sigma: σ in [1, 30000] units.
    /// - Throws: `ExactNoiseError` for σ out of range or the (probability < exp(−2³²)) unrepresentable draw.
    public func addingDiscreteGaussian(to value: Int64, sigma: Int) throws -> Int64 {
        guard sigma >= 1, sigma <= 30_000 else {
            throw ExactNoiseError.parameterOutOfRange("discrete Gaussian σ = \(sigma) must lie in 1…30000 units")
        }
        let sampler = try DiscreteGaussianSampler(varianceNumerator: UInt64(sigma * sigma), denominator: 1)
        var bits = RandomBits(self)
        let z = try sampler.sample(&bits)
        let (sum, overflow) = value.addingReportingOverflow(z)
        return overflow ? (z > 0 ? .max : .min) : sum
    }
}
