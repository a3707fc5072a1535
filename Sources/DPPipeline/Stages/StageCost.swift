/// The privacy a stage spends, known before any data is touched.
public struct StageCost: Sendable, Equatable {
    /// ε of this stage's (ε, δ) guarantee.
    public var epsilon: Double
    /// δ of this stage's guarantee (0 for pure-ε mechanisms such as Laplace).
    public var delta: Double
    /// What the cost is made of, e.g. "DP-SGD, RDP accountant, σ = 1.1, q = 0.0703, 426 steps".
    public var detail: String

    public init(epsilon: Double, delta: Double, detail: String) {
        self.epsilon = epsilon
        self.delta = delta
        self.detail = detail
    }

    public static let free = StageCost(epsilon: 0, delta: 0, detail: "no privacy cost")
}
