import Foundation

/// Privacy loss of an additive-noise mechanism (sensitivity 1), optionally Poisson-subsampled,
/// for one direction of the add/remove-one relation (Doroshenko et al. 2022; the conventions of
/// dp_accounting's `privacy_loss_mechanism`).
///
/// REMOVE: output ~ μ_upper = (1−q)·μ + q·μ(·+1) against μ_lower = μ;
/// ADD: μ_upper = μ against μ_lower = (1−q)·μ + q·μ(·−1). The privacy loss
/// log(μ_upper(x)/μ_lower(x)) is non-increasing in x.
struct AdditiveNoisePrivacyLoss: Sendable {
    enum Noise: Sendable { case gaussian(sigma: Double), laplace(scale: Double) }
    enum Adjacency: Sendable { case add, remove }

    let noise: Noise
    let samplingRate: Double
    let adjacency: Adjacency

    /// Φ⁻¹(½·e⁻⁵⁰): the Gaussian is truncated where each tail holds ½e⁻⁵⁰ mass (dp_accounting's
    /// `log_mass_truncation_bound = -50`); the truncated tails go pessimistically to +∞ / the edge.
    static let gaussianTailQuantile = -9.745474864965935

    // MARK: Noise distribution

    func noiseCDF(_ x: Double) -> Double {
        switch noise {
        case .gaussian(let s): return 0.5 * Foundation.erfc(-x / (s * 2.0.squareRoot()))
        case .laplace(let b): return x < 0 ? 0.5 * Foundation.exp(x / b) : 1 - 0.5 * Foundation.exp(-x / b)
        }
    }

    func noiseLogCDF(_ x: Double) -> Double {
        switch noise {
        case .gaussian(let s): return -0.6931471805599453 + LogSpace.logErfc(-x / (s * 2.0.squareRoot()))
        case .laplace(let b): return x < 0 ? -0.6931471805599453 + x / b : Foundation.log1p(-0.5 * Foundation.exp(-x / b))
        }
    }

    // MARK: Privacy loss

    /// Loss without subsampling: log(μ(x∓1)/μ(x)) for ADD / log(μ(x+1)/μ(x)) for REMOVE.
    func lossWithoutSubsampling(_ x: Double) -> Double {
        switch (noise, adjacency) {
        case (.gaussian(let s), .add): return (0.5 - x) / (s * s)
        case (.gaussian(let s), .remove): return (-0.5 - x) / (s * s)
        case (.laplace(let b), .add): return (abs(x - 1) - abs(x)) / b
        case (.laplace(let b), .remove): return (abs(x) - abs(x + 1)) / b
        }
    }

    /// The largest x whose loss without subsampling is ≥ `loss`.
    func inverseLossWithoutSubsampling(_ loss: Double) -> Double {
        switch noise {
        case .gaussian(let s):
            return (adjacency == .add ? 0.5 : -0.5) - loss * s * s
        case .laplace(let b):
            let t = loss * b
            if t > 1 { return -.infinity }
            if t <= -1 { return .infinity }
            return adjacency == .add ? 0.5 * (1 - t) : 0.5 * (-1 - t)
        }
    }

    func loss(_ x: Double) -> Double {
        let l = lossWithoutSubsampling(x)
        let q = samplingRate
        if q == 1 { return l }
        switch adjacency {
        case .add: return -LogSpace.add(Foundation.log(q) - l, Foundation.log1p(-q))
        case .remove: return LogSpace.add(Foundation.log(q) + l, Foundation.log1p(-q))
        }
    }

    /// The largest x whose (subsampled) loss is ≥ `loss`.
    func inverseLoss(_ loss: Double) -> Double {
        let q = samplingRate
        if q == 1 { return inverseLossWithoutSubsampling(loss) }
        switch adjacency {
        case .add:  // loss = −log(1 − q + q·e^{−l})  ⇔  l = −log1p(expm1(−loss)/q)
            return inverseLossWithoutSubsampling(-Foundation.log1p(Foundation.expm1(-loss) / q))
        case .remove:  // loss = log(1 − q + q·e^{l})  ⇔  l = log1p(expm1(loss)/q)
            return inverseLossWithoutSubsampling(Foundation.log1p(Foundation.expm1(loss) / q))
        }
    }

    func upperCDF(_ x: Double) -> Double {
        let q = samplingRate
        switch adjacency {
        case .add: return noiseCDF(x)
        case .remove:
            if q == 1 { return noiseCDF(x + 1) }
            return (1 - q) * noiseCDF(x) + q * noiseCDF(x + 1)
        }
    }

    func lowerLogCDF(_ x: Double) -> Double {
        let q = samplingRate
        switch adjacency {
        case .remove: return noiseLogCDF(x)
        case .add:
            if q == 1 { return noiseLogCDF(x - 1) }
            return LogSpace.add(Foundation.log1p(-q) + noiseLogCDF(x), Foundation.log(q) + noiseLogCDF(x - 1))
        }
    }

    /// Hockey-stick divergence δ(ε) of the exact (continuous) mechanism.
    func delta(epsilon eps: Double) -> Double {
        let q = samplingRate
        if q < 1 {
            switch adjacency {
            case .add: if eps >= -Foundation.log1p(-q) { return 0 }
            case .remove: if eps <= Foundation.log1p(-q) { return min(1, max(0, -Foundation.expm1(eps))) }
            }
        }
        let x = inverseLoss(eps)
        let d = upperCDF(x) - Foundation.exp(eps + lowerLogCDF(x))
        return min(1, max(0, d))
    }

    /// [ε_lower, ε_upper]: the loss range covered by the discretisation.
    func epsilonBounds() -> (lower: Double, upper: Double) {
        switch noise {
        case .gaussian(let s):
            var lowerX = AdditiveNoisePrivacyLoss.gaussianTailQuantile * s
            var upperX = -lowerX
            if adjacency == .add { upperX += 1 } else { lowerX -= 1 }
            return (loss(upperX), loss(lowerX))
        case .laplace(let b):
            let m = 1 / b, q = samplingRate
            if q == 1 { return (-m, m) }
            let up = LogSpace.add(Foundation.log(q) + m, Foundation.log1p(-q))
            let down = LogSpace.add(Foundation.log(q) - m, Foundation.log1p(-q))
            return adjacency == .add ? (-up, -down) : (down, up)
        }
    }

    /// The pessimistic connect-the-dots PMF on the grid of width `discretization`.
    func connectTheDotsPMF(discretization d: Double) throws -> PLDPmf {
        let (lo, hi) = epsilonBounds()
        let span = (hi - lo) / d
        guard span.isFinite, span < Double(PLDPmf.maximumPoints),
              let lower = CheckedConversion.int((lo / d).rounded(.down)),
              let upper = CheckedConversion.int((hi / d).rounded(.up)), upper >= lower else {
            throw PrivacyAccountingError.pldGridTooLarge(
                points: CheckedConversion.clampedInt(span.rounded(.up), nanValue: Int.max), limit: PLDPmf.maximumPoints)
        }
        var deltas = [Double](repeating: 0, count: upper - lower + 1)
        for k in 0..<deltas.count { deltas[k] = delta(epsilon: Double(lower + k) * d) }
        // δ(ε) is non-increasing; enforce it against round-off so the PMF stays valid.
        if deltas.count > 1 { for k in 1..<deltas.count where deltas[k] > deltas[k - 1] { deltas[k] = deltas[k - 1] } }
        return PLDPmf.connectTheDots(discretization: d, lower: lower, upper: upper, deltas: deltas)
    }
}
