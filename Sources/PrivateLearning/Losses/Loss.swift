/// How per-example losses are combined into one number.
public enum LossReduction: String, Sendable, CaseIterable {
    /// Keep one loss per example.
    case none
    /// Σ_i ℓ_i.
    case sum
    /// (1/B) Σ_i ℓ_i.
    case mean
}

/// A loss, per example first.
///
/// `perExampleLoss` returns ℓ_i for each row; `perExampleGradient` returns ∂ℓ_i/∂ŷ_i for each
/// row — the gradient of example i's *own* loss, unreduced. DP-SGD clips these per example;
/// non-private training averages them explicitly.
public protocol Loss: Sendable {
    /// Registry name (`binary_crossentropy` …).
    var typeName: String { get }
    /// Configuration rebuilding this loss through its registry factory.
    var configuration: PluginParameters { get }
    /// ℓ_i for every example (row) of a batch; `predictions` and `targets` have equal row counts.
    func perExampleLoss(predictions: Tensor, targets: Tensor) -> [Float]
    /// ∂ℓ_i/∂ŷ_i, same shape as `predictions`.
    func perExampleGradient(predictions: Tensor, targets: Tensor) -> Tensor
}

extension Loss {
    /// The per-example losses combined by `reduction` (`.none` returns them unchanged).
    public func loss(predictions: Tensor, targets: Tensor, reduction: LossReduction) -> [Float] {
        let l = perExampleLoss(predictions: predictions, targets: targets)
        switch reduction {
        case .none: return l
        case .sum: return [l.reduce(0, +)]
        case .mean: return [l.isEmpty ? 0 : l.reduce(0, +) / Float(l.count)]
        }
    }
}
