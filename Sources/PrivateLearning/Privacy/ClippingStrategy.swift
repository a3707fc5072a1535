/// Clip factors of one batch (or slice): one factor per unit, shared by every layer, or one
/// vector per layer (per-layer clipping).
public enum ClipFactors: Sendable, Equatable {
    /// `factors[u]` for unit u, applied to every layer.
    case shared([Float])
    /// `factors[k][u]` for layer k (layers without parameters get an empty vector).
    case perLayer([[Float]])

    /// The factors of layer `k`.
    public func forLayer(_ k: Int) -> [Float] {
        switch self {
        case .shared(let f): f
        case .perLayer(let f): f[k]
        }
    }
}

/// How per-unit gradients are bounded before they are summed (a value, composed with any noise
/// mechanism and reduction; never a class per combination).
///
/// A strategy sees the squared per-unit gradient norm of every layer and returns clip factors;
/// the clipped contribution of unit u to layer k is `factor_k(u) · Σ_{i∈u} g_{i,k}`. Whatever it
/// returns, the L2 norm of one unit's clipped contribution over all layers must stay ≤
/// `sensitivity`: the noise is calibrated to it. Flat clipping exists today; per-layer clipping
/// (one bound per layer, `sensitivity = √Σ C_k²`) returns `.perLayer`, and an adaptive strategy
/// (Andrew et al. 2021) updates its bound in `didStep` from a privately released statistic.
public protocol ClippingStrategy: Sendable {
    /// L2 bound of one unit's whole clipped contribution (all layers): the sensitivity the
    /// Gaussian noise std σ_g·sensitivity is calibrated to.
    var sensitivity: Double { get }
    /// Clip factors from `layerSquaredNorms[k][u]`, the squared gradient norm of layer k for
    /// unit u (Float per layer; the strategy sums in Double).
    func clipFactors(layerSquaredNorms: [[Float]], unitCount: Int) -> ClipFactors
}

/// Flat clipping (Abadi et al. 2016): every unit's gradient over all parameters is scaled to L2
/// norm ≤ C, `factor(u) = min(1, C/‖g_u‖)` rounded so the bound holds after rounding (`ClipFactor`).
public struct FlatClipping: ClippingStrategy {
    /// C > 0.
    public let clip: Double

    public init(clip: Double) {
        precondition(clip > 0 && clip.isFinite, "clip norm must be a finite number > 0")
        self.clip = clip
    }

    public var sensitivity: Double { clip }

    /// Total squared norm of each unit over all layers (Double accumulation).
    public static func totalSquaredNorms(_ layerSquaredNorms: [[Float]], unitCount: Int) -> [Double] {
        var total = [Double](repeating: 0, count: unitCount)
        for layer in layerSquaredNorms where !layer.isEmpty {
            for u in 0..<unitCount { total[u] += Double(layer[u]) }
        }
        return total
    }

    public func clipFactors(layerSquaredNorms: [[Float]], unitCount: Int) -> ClipFactors {
        .shared(Self.totalSquaredNorms(layerSquaredNorms, unitCount: unitCount).map {
            ClipFactor.factor(squaredNorm: $0, clip: clip)
        })
    }
}
