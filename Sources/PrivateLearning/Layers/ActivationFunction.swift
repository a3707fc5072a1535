import Foundation

/// Activation functions, named as in Keras. All act on each example's row independently.
public enum ActivationFunction: String, Sendable, CaseIterable, Codable {
    case linear
    case relu
    case sigmoid
    case tanh
    /// Row-wise softmax over the features of each example.
    case softmax
    /// `x` for x > 0, else `0.2·x` (Keras 3 default negative slope).
    case leakyRelu = "leaky_relu"
    /// `x` for x > 0, else `exp(x) − 1` (alpha 1).
    case elu
    /// Exact GELU, `x·Φ(x)` (Keras default `approximate=False`).
    case gelu
    /// `x·sigmoid(x)`, also called swish.
    case silu

    /// Accepts the Keras names and a few aliases (`swish`, `leakyrelu`).
    public init?(name: String) {
        switch name.lowercased() {
        case "swish": self = .silu
        case "leakyrelu", "leaky_relu": self = .leakyRelu
        case "none", "identity": self = .linear
        default: self.init(rawValue: name.lowercased())
        }
    }

    static let leakySlope: Float = 0.2

    /// f(z) for a batch-first tensor.
    public func apply(_ z: Tensor) -> Tensor {
        if self == .linear { return z }
        let n = z.count
        if n == 0 { return z }
        var out = Tensor(shape: z.shape, values: [Float](unsafeUninitializedCapacity: n) { _, c in c = n })
        out.storage.withUnsafeMutableBufferPointer { o in
            z.storage.withUnsafeBufferPointer { zz in
                let x = zz.baseAddress!, y = o.baseAddress!
                switch self {
                case .linear: break
                case .relu: for i in 0..<n { y[i] = max(x[i], 0) }
                case .sigmoid: for i in 0..<n { y[i] = Self.sigmoid(x[i]) }
                case .tanh: for i in 0..<n { y[i] = Foundation.tanh(x[i]) }
                case .leakyRelu: for i in 0..<n { y[i] = x[i] > 0 ? x[i] : Self.leakySlope * x[i] }
                case .elu: for i in 0..<n { y[i] = x[i] > 0 ? x[i] : expm1(x[i]) }
                case .gelu: for i in 0..<n { y[i] = 0.5 * x[i] * (1 + erf(x[i] * 0.70710678)) }
                case .silu: for i in 0..<n { y[i] = x[i] * Self.sigmoid(x[i]) }
                case .softmax:
                    let rows = z.rows, cols = z.columns
                    for r in 0..<rows {
                        let base = r &* cols
                        var m = -Float.infinity
                        for j in 0..<cols { m = max(m, x[base &+ j]) }
                        var s: Float = 0
                        for j in 0..<cols { let e = exp(x[base &+ j] - m); y[base &+ j] = e; s += e }
                        let inv = 1 / s
                        for j in 0..<cols { y[base &+ j] *= inv }
                    }
                }
            }
        }
        return out
    }

    /// ∂ℓ/∂z from ∂ℓ/∂a, given the pre-activation `z` and the activation `a = f(z)`.
    public func backward(z: Tensor, a: Tensor, outputGradient g: Tensor) -> Tensor {
        if self == .linear { return g }
        let n = g.count
        if n == 0 { return g }
        var out = Tensor(shape: g.shape, values: [Float](unsafeUninitializedCapacity: n) { _, c in c = n })
        out.storage.withUnsafeMutableBufferPointer { o in
            z.storage.withUnsafeBufferPointer { zz in
                a.storage.withUnsafeBufferPointer { aa in
                    g.storage.withUnsafeBufferPointer { gg in
                        let x = zz.baseAddress!, y = aa.baseAddress!, d = gg.baseAddress!, r = o.baseAddress!
                        switch self {
                        case .linear: break
                        case .relu: for i in 0..<n { let di = d[i]; r[i] = x[i] > 0 ? di : 0 }   // unconditional load: vectorises
                        case .sigmoid: for i in 0..<n { r[i] = d[i] * y[i] * (1 - y[i]) }
                        case .tanh: for i in 0..<n { r[i] = d[i] * (1 - y[i] * y[i]) }
                        case .leakyRelu: for i in 0..<n { let di = d[i]; r[i] = x[i] > 0 ? di : Self.leakySlope * di }
                        case .elu: for i in 0..<n { let di = d[i], yi = y[i]; r[i] = x[i] > 0 ? di : di * (yi + 1) }
                        case .gelu:
                            for i in 0..<n {
                                let cdf = 0.5 * (1 + erf(x[i] * 0.70710678))
                                let pdf = exp(-0.5 * x[i] * x[i]) * 0.39894228
                                r[i] = d[i] * (cdf + x[i] * pdf)
                            }
                        case .silu:
                            for i in 0..<n {
                                let s = Self.sigmoid(x[i])
                                r[i] = d[i] * s * (1 + x[i] * (1 - s))
                            }
                        case .softmax:
                            let rows = g.rows, cols = g.columns
                            for row in 0..<rows {
                                let base = row &* cols
                                let dotAG = VectorMath.dot(y + base, d + base, count: cols)
                                for j in 0..<cols { r[base &+ j] = y[base &+ j] * (d[base &+ j] - dotAG) }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    @inlinable
    public static func sigmoid(_ x: Float) -> Float {
        x >= 0 ? 1 / (1 + exp(-x)) : { let e = exp(x); return e / (1 + e) }()
    }
}
