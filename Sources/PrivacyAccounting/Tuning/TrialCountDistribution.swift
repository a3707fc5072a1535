import Foundation

/// The distribution of K, the random number of trials of a private hyperparameter search
/// (Papernot & Steinke, ICLR 2022, "Hyperparameter tuning with Rényi differential privacy", §3).
///
/// K is public randomness drawn before any data is read; only the best of the K trials is
/// released. Its distribution is part of the accounting (`RepeatAndSelectRDP`): a fixed K would
/// cost K times one trial, a random K with a light tail costs a small multiple of one trial.
public enum TrialCountDistribution: Sendable, Hashable {
    /// Truncated negative binomial `D_{η,γ}` on {1, 2, …}, η ≥ 0 (dpflow's range; the paper allows η > −1),
    /// γ ∈ [1e-4, 1):
    /// `P[K = k] = (1−γ)^k / (γ^{−η} − 1) · Π_{l=0}^{k−1} (l + η)/(l + 1)` for η ≠ 0, and the
    /// logarithmic distribution `P[K = k] = (1−γ)^k / (k · log(1/γ))` for η = 0.
    /// η = 1 is the geometric distribution `P[K = k] = γ(1−γ)^{k−1}` (mean 1/γ).
    case truncatedNegativeBinomial(shape: Double, gamma: Double)
    /// Poisson with mean μ ≥ 1 on {0, 1, 2, …} (K = 0 runs no trial and releases nothing).
    case poisson(mean: Double)

    /// Checks the parameters; throws `PrivacyAccountingError.invalidTrialDistribution`.
    public func validate() throws {
        switch self {
        case .truncatedNegativeBinomial(let eta, let gamma):
            guard eta.isFinite, eta >= 0, eta <= 1_000 else {
                throw PrivacyAccountingError.invalidTrialDistribution("shape η = \(eta) must be a number in [0, 1000]")
            }
            guard gamma.isFinite, gamma >= 1e-4, gamma < 1 else {
                throw PrivacyAccountingError.invalidTrialDistribution("γ = \(gamma) must be a number in [1e-4, 1)")
            }
        case .poisson(let mu):
            guard mu.isFinite, mu >= 1, mu <= 1_000 else {
                throw PrivacyAccountingError.invalidTrialDistribution("Poisson mean μ = \(mu) must be a number in [1, 1000]")
            }
        }
    }

    /// E[K]: `η(1−γ) / (γ(1 − γ^η))` for η ≠ 0, `(1/γ − 1)/log(1/γ)` for η = 0 (Papernot & Steinke, §3);
    /// μ for Poisson.
    public var mean: Double {
        switch self {
        case .truncatedNegativeBinomial(let eta, let gamma):
            if eta == 0 { return (1 / gamma - 1) / Foundation.log(1 / gamma) }
            // 1 − γ^η = −expm1(η log γ), accurate for small η.
            return eta * (1 - gamma) / (gamma * -Foundation.expm1(eta * Foundation.log(gamma)))
        case .poisson(let mu):
            return mu
        }
    }

    /// The smallest value K takes (1, or 0 for Poisson).
    public var minimum: Int {
        if case .poisson = self { return 0 }
        return 1
    }

    /// log P[K = k] (−∞ outside the support).
    public func logProbability(_ k: Int) -> Double {
        switch self {
        case .truncatedNegativeBinomial(let eta, let gamma):
            guard k >= 1 else { return -.infinity }
            let kd = Double(k)
            let log1mg = Foundation.log1p(-gamma)
            if eta == 0 {
                return kd * log1mg - Foundation.log(kd) - Foundation.log(-Foundation.log(gamma))
            }
            // Π_{l<k} (l+η)/(l+1) = Γ(k+η) / (Γ(η) Γ(k+1)) for η > 0.
            let logProduct = lgammaAbs(kd + eta) - lgammaAbs(eta) - lgammaAbs(kd + 1)
            let normaliser = Foundation.log(abs(Foundation.expm1(-eta * Foundation.log(gamma))))
            return kd * log1mg + logProduct - normaliser
        case .poisson(let mu):
            guard k >= 0 else { return -.infinity }
            let kd = Double(k)
            return kd * Foundation.log(mu) - mu - lgammaAbs(kd + 1)
        }
    }

    /// P[K = k].
    public func probability(_ k: Int) -> Double { Foundation.exp(logProbability(k)) }

    /// A short description for plans and reports, e.g. "truncated negative binomial (η = 1, γ = 0.1; geometric), E[K] = 10".
    public var summary: String {
        let mean = String(format: "%.4g", self.mean)
        switch self {
        case .truncatedNegativeBinomial(let eta, let gamma):
            let name = eta == 0 ? "; logarithmic" : (eta == 1 ? "; geometric" : "")
            return "truncated negative binomial (η = \(String(format: "%g", eta)), γ = \(String(format: "%.4g", gamma))\(name)), E[K] = \(mean)"
        case .poisson:
            return "Poisson (μ = \(mean)), E[K] = \(mean)"
        }
    }

    /// The truncated negative binomial with shape η whose mean is `mean` (> 1): γ solved by bisection
    /// (E[K] decreases in γ). Returns the distribution with that γ.
    /// - Throws: `.invalidTrialDistribution` for η ∉ [0, 1000] or a mean ∉ (1, 1000].
    public static func truncatedNegativeBinomial(shape eta: Double, mean target: Double) throws -> TrialCountDistribution {
        guard eta.isFinite, eta >= 0, eta <= 1_000 else {
            throw PrivacyAccountingError.invalidTrialDistribution("shape η = \(eta) must be a number in [0, 1000]")
        }
        guard target.isFinite, target > 1, target <= 1_000 else {
            throw PrivacyAccountingError.invalidTrialDistribution("mean number of trials \(target) must be a number in (1, 1000]")
        }
        var lo = 1e-4, hi = 1 - 1e-12
        let meanAtLo = TrialCountDistribution.truncatedNegativeBinomial(shape: eta, gamma: lo).mean
        guard meanAtLo >= target else {
            throw PrivacyAccountingError.invalidTrialDistribution("mean number of trials \(target) needs γ < 1e-4 for shape η = \(eta)")
        }
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if TrialCountDistribution.truncatedNegativeBinomial(shape: eta, gamma: mid).mean > target { lo = mid } else { hi = mid }
        }
        let d = TrialCountDistribution.truncatedNegativeBinomial(shape: eta, gamma: lo)
        try d.validate()
        return d
    }
}

/// log |Γ(x)| for x > 0 or non-integer x < 0.
@inline(__always)
func lgammaAbs(_ x: Double) -> Double {
    Foundation.lgamma(x)
}
