import Foundation

/// The privacy cost of one DP-SGD training run, with every parameter that determines it.
public struct PrivacyBudget: Sendable, Equatable, Codable {
    /// ε of the (ε, δ)-DP guarantee (natural-log units). Smaller is more private.
    public var epsilon: Double
    /// δ of the (ε, δ)-DP guarantee: the probability mass allowed to exceed ε.
    public var delta: Double
    /// σ: noise standard deviation divided by the clipping norm.
    public var noiseMultiplier: Double
    /// q = batchSize / examples: Poisson sampling probability of each example per step.
    public var samplingRate: Double
    /// Number of noisy gradient steps composed.
    public var steps: Int
    /// The accountant that produced `epsilon`.
    public var accountant: AccountantKind

    public init(epsilon: Double, delta: Double, noiseMultiplier: Double, samplingRate: Double,
                steps: Int, accountant: AccountantKind) {
        self.epsilon = epsilon
        self.delta = delta
        self.noiseMultiplier = noiseMultiplier
        self.samplingRate = samplingRate
        self.steps = steps
        self.accountant = accountant
    }
}

extension PrivacyBudget: CustomStringConvertible {
    /// One line that always names the accountant, e.g.
    /// `ε = 2.597 at δ = 1e-05 (rdp; σ = 1.1, q = 0.004267, 14063 steps)`.
    public var description: String {
        func g(_ x: Double) -> String { String(format: "%.4g", x) }
        return "ε = \(g(epsilon)) at δ = \(g(delta)) (\(accountant.rawValue); σ = \(g(noiseMultiplier)), "
            + "q = \(g(samplingRate)), \(steps) steps)"
    }
}
