import Foundation
import PrivateLearning

/// Layer normalisation over the last axis (Ba et al. 2016; Keras `LayerNormalization`,
/// `axis=-1`): each feature vector is normalised with its *own* mean and variance,
/// `y = γ ⊙ (x − μ)/√(σ² + ε) + β`, with learnable `γ` (scale) and `β` (center).
///
/// Statistics never cross examples, so — unlike batch normalisation — it is compatible with
/// per-example clipping; it is the normalisation to use under DP-SGD. Has a registered norm
/// sampler (see `LayerNormalization+PerExample.swift`).
public final class LayerNormalization: Layer {
    public let typeName = "layer_normalization"
    /// ε added to the variance (Keras default 1e-3).
    public let epsilon: Float
    /// Learn β (an offset).
    public let center: Bool
    /// Learn γ (a scale).
    public let scale: Bool
    public let gammaInitializer: Initializer
    public let betaInitializer: Initializer

    /// `[gamma [F]]` when `scale`, then `[beta [F]]` when `center` (Keras weight order).
    public var parameters: [Tensor] = []
    var inputShape: [Int] = []
    /// F, the normalised axis length.
    var features = 0

    /// Saved by `forward`.
    public struct Saved: Sendable {
        /// x̂ = (x − μ)/√(σ² + ε), shape `[B·m, F]` as a flat array.
        public var normalized: [Float]
        /// 1/√(σ² + ε) per normalised row.
        public var inverseStd: [Float]
        public var batchSize: Int
    }

    /// - Parameters:
    ///   - epsilon: variance offset ε > 0.
    ///   - center: learn the offset β.
    ///   - scale: learn the scale γ.
    public init(epsilon: Float = 1e-3, center: Bool = true, scale: Bool = true,
                gammaInitializer: Initializer = .ones, betaInitializer: Initializer = .zeros) {
        precondition(epsilon > 0, "layer_normalization: epsilon > 0")
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.gammaInitializer = gammaInitializer
        self.betaInitializer = betaInitializer
    }

    public var configuration: PluginParameters {
        ["epsilon": .decimal(epsilon), "center": .bool(center), "scale": .bool(scale),
         "gamma_initializer": .string(gammaInitializer.rawValue), "beta_initializer": .string(betaInitializer.rawValue)]
    }

    /// Normalised rows per example (product of all per-example dimensions but the last).
    var rowsPerExample: Int { inputShape.dropLast().reduce(1, *) }

    public func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
        guard let last = inputShape.last, last > 0, inputShape.allSatisfy({ $0 > 0 }) else {
            throw PrivateLearningError.incompatibleShape(layer: typeName, index: index, inputShape: inputShape,
                                                         reason: "layer_normalization needs a non-empty feature axis")
        }
        self.inputShape = inputShape
        features = last
        parameters = []
        if scale {
            parameters.append(Tensor(shape: [last], values: gammaInitializer.values(count: last, fanIn: last, fanOut: last, using: &generator)))
        }
        if center {
            parameters.append(Tensor(shape: [last], values: betaInitializer.values(count: last, fanIn: last, fanOut: last, using: &generator)))
        }
        return inputShape
    }

    var gamma: [Float]? { scale ? parameters[0].storage : nil }
    var beta: [Float]? { center ? parameters[scale ? 1 : 0].storage : nil }

    public func forward(_ input: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        let f = features, rows = input.count / f
        precondition(rows * f == input.count, "layer_normalization: input does not have \(f) features on its last axis")
        var xhat = [Float](repeating: 0, count: input.count)
        var inv = [Float](repeating: 0, count: rows)
        var out = input
        let g = gamma, b = beta
        input.storage.withUnsafeBufferPointer { xx in
            xhat.withUnsafeMutableBufferPointer { hh in
                out.storage.withUnsafeMutableBufferPointer { oo in
                    for r in 0..<rows {
                        let x = xx.baseAddress! + r &* f, h = hh.baseAddress! + r &* f, o = oo.baseAddress! + r &* f
                        let mean = VectorMath.sum(x, count: f) / Float(f)
                        var v: Float = 0
                        for j in 0..<f { let d = x[j] - mean; v += d * d }
                        let s = 1 / (v / Float(f) + epsilon).squareRoot()
                        inv[r] = s
                        for j in 0..<f {
                            let n = (x[j] - mean) * s
                            h[j] = n
                            o[j] = (g?[j] ?? 1) * n + (b?[j] ?? 0)
                        }
                    }
                }
            }
        }
        return (out, Saved(normalized: xhat, inverseStd: inv, batchSize: input.rows))
    }

    /// `dx = s·(dx̂ − mean(dx̂) − x̂·mean(dx̂ ⊙ x̂))` with `dx̂ = γ ⊙ dy` and `s = 1/√(σ² + ε)`,
    /// one normalised row at a time.
    public func backward(_ dy: Tensor, saved: any Sendable) -> Tensor {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        let normalized = s.normalized, inverseStd = s.inverseStd
        let f = features, rows = inverseStd.count
        precondition(dy.count == rows * f, "layer_normalization: backward batch differs from the forward batch")
        var dx = dy
        let g = gamma ?? [Float](repeating: 1, count: f)
        var dh = [Float](repeating: 0, count: f)
        let invF = 1 / Float(f)
        dy.storage.withUnsafeBufferPointer { dyy in
            normalized.withUnsafeBufferPointer { hh in
                dx.storage.withUnsafeMutableBufferPointer { dxx in
                    g.withUnsafeBufferPointer { gg in
                        dh.withUnsafeMutableBufferPointer { d in
                            for r in 0..<rows {
                                let base = r &* f
                                let y = dyy.baseAddress! + base, h = hh.baseAddress! + base, o = dxx.baseAddress! + base
                                for j in 0..<f { d[j] = y[j] * gg[j] }
                                let meanD = VectorMath.sum(d.baseAddress!, count: f) * invF
                                let meanDH = VectorMath.dot(d.baseAddress!, h, count: f) * invF
                                let s = inverseStd[r]
                                for j in 0..<f { o[j] = s * (d[j] - meanD - h[j] * meanDH) }
                            }
                        }
                    }
                }
            }
        }
        return dx
    }

    /// `Σ_i w_i Σ_{rows of i} dy ⊙ x̂` (γ) and `Σ_i w_i Σ_{rows of i} dy` (β).
    public func parameterGradients(outputGradient dy: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        let normalized = s.normalized, outputGradient = dy.storage, batchSize = s.batchSize
        let f = features, m = rowsPerExample
        if let w = exampleWeights { precondition(w.count == batchSize, "layer_normalization: \(w.count) weights for \(batchSize) examples") }
        var gg = [Float](repeating: 0, count: f), gb = [Float](repeating: 0, count: f)
        outputGradient.withUnsafeBufferPointer { dyy in
            normalized.withUnsafeBufferPointer { hh in
                gg.withUnsafeMutableBufferPointer { a in
                    gb.withUnsafeMutableBufferPointer { b in
                        for i in 0..<batchSize {
                            let wi = exampleWeights?[i] ?? 1
                            if wi == 0 { continue }
                            for r in (i &* m)..<((i &+ 1) &* m) {
                                let y = dyy.baseAddress! + r &* f, h = hh.baseAddress! + r &* f
                                for j in 0..<f {
                                    let d = wi * y[j]
                                    a[j] += d * h[j]
                                    b[j] += d
                                }
                            }
                        }
                    }
                }
            }
        }
        var out: [Tensor] = []
        if scale { out.append(Tensor(shape: [f], values: gg)) }
        if center { out.append(Tensor(shape: [f], values: gb)) }
        return out
    }
}
