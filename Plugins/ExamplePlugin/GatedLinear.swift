import Foundation
import PrivateLearning

/// A gated linear unit, `y = (x·W + b) ⊙ σ(x·V + c)` (Dauphin et al. 2017): a linear map whose
/// every output is scaled by a learned sigmoid gate.
///
/// It shows the minimum a layer plugin must provide: `build`, `forward`, `backward` and
/// `parameterGradients(exampleWeights:)`. It deliberately does **not** adopt
/// `PerExampleGradientNorms`: DP-SGD then computes each example's gradient norm with the
/// generic fallback (one weighted gradient evaluation per example), which is correct for any
/// layer whose examples do not interact — only slower.
public final class GatedLinear: Layer {
    public let typeName = "gated_linear"
    /// Output features per example.
    public let units: Int

    /// `[W [inputs, units], b [units], V [inputs, units], c [units]]`.
    public var parameters: [Tensor] = []
    var inputs = 0

    // Cached by a training forward pass and by backward.
    var input = Tensor(zeros: [0, 0])
    var linear = Tensor(zeros: [0, 0])        // x·W + b
    var gate = Tensor(zeros: [0, 0])          // σ(x·V + c)
    var linearDelta = Tensor(zeros: [0, 0])   // ∂ℓ_i/∂(x·W + b) = dy ⊙ gate
    var gateDelta = Tensor(zeros: [0, 0])     // ∂ℓ_i/∂(x·V + c) = dy ⊙ linear ⊙ gate ⊙ (1 − gate)

    /// - Parameter units: output features per example (> 0).
    public init(units: Int) {
        precondition(units > 0, "gated_linear: units > 0")
        self.units = units
    }

    public var configuration: PluginParameters { ["units": .int(units)] }

    public func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
        guard inputShape.count == 1, inputShape[0] > 0 else {
            throw PrivateLearningError.incompatibleShape(layer: typeName, index: index, inputShape: inputShape,
                                                         reason: "gated_linear needs a flat feature vector per example; add a flatten layer before it")
        }
        inputs = inputShape[0]
        func kernel() -> Tensor {
            Tensor(shape: [inputs, units],
                   values: Initializer.glorotUniform.values(count: inputs * units, fanIn: inputs, fanOut: units, using: &generator))
        }
        parameters = [kernel(), Tensor(zeros: [units]), kernel(), Tensor(zeros: [units])]
        return [units]
    }

    /// `x·K + bias` for a batch (one GEMM).
    func affine(_ x: Tensor, kernel: Tensor, bias: Tensor) -> Tensor {
        let b = x.rows
        var z = [Float](repeating: 0, count: b * units)
        for r in 0..<b { for j in 0..<units { z[r * units + j] = bias.storage[j] } }
        if b > 0 {
            LinearAlgebra.gemm(transposeA: false, transposeB: false, m: b, n: units, k: inputs, alpha: 1,
                               a: x.storage, lda: inputs, b: kernel.storage, ldb: units, beta: 1, c: &z, ldc: units)
        }
        return Tensor(shape: [b, units], values: z)
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let flat = x.reshaped([x.rows, x.columns])
        let h = affine(flat, kernel: parameters[0], bias: parameters[1])
        var s = affine(flat, kernel: parameters[2], bias: parameters[3])
        for i in 0..<s.count { s.storage[i] = 1 / (1 + exp(-s.storage[i])) }
        var y = h
        for i in 0..<y.count { y.storage[i] *= s.storage[i] }
        if training { input = flat; linear = h; gate = s }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let b = dy.rows
        linearDelta = dy.reshaped([b, units])
        gateDelta = linearDelta
        for i in 0..<linearDelta.count {
            let s = gate.storage[i], g = dy.storage[i]
            linearDelta.storage[i] = g * s
            gateDelta.storage[i] = g * linear.storage[i] * s * (1 - s)
        }
        // dx = δ_h·Wᵀ + δ_g·Vᵀ
        var dx = [Float](repeating: 0, count: b * inputs)
        if b > 0 {
            LinearAlgebra.gemm(transposeA: false, transposeB: true, m: b, n: inputs, k: units, alpha: 1,
                               a: linearDelta.storage, lda: units, b: parameters[0].storage, ldb: units, beta: 0, c: &dx, ldc: inputs)
            LinearAlgebra.gemm(transposeA: false, transposeB: true, m: b, n: inputs, k: units, alpha: 1,
                               a: gateDelta.storage, lda: units, b: parameters[2].storage, ldb: units, beta: 1, c: &dx, ldc: inputs)
        }
        return Tensor(shape: [b, inputs], values: dx)
    }

    /// `Σ_i w_i·x_iᵀδ_i` and `Σ_i w_i·δ_i` for both branches (δ rows scaled by the weights).
    public func parameterGradients(exampleWeights: [Float]?) -> [Tensor] {
        let b = input.rows
        func weighted(_ delta: Tensor) -> [Float] {
            guard let w = exampleWeights else { return delta.storage }
            precondition(w.count == b, "gated_linear: \(w.count) example weights for a batch of \(b)")
            var d = delta.storage
            for r in 0..<b { for j in 0..<units { d[r * units + j] *= w[r] } }
            return d
        }
        func grads(_ delta: Tensor) -> [Tensor] {
            let d = weighted(delta)
            var gk = [Float](repeating: 0, count: inputs * units)
            var gb = [Float](repeating: 0, count: units)
            if b > 0 {
                LinearAlgebra.gemm(transposeA: true, transposeB: false, m: inputs, n: units, k: b, alpha: 1,
                                   a: input.storage, lda: inputs, b: d, ldb: units, beta: 0, c: &gk, ldc: units)
                for r in 0..<b { for j in 0..<units { gb[j] += d[r * units + j] } }
            }
            return [Tensor(shape: [inputs, units], values: gk), Tensor(shape: [units], values: gb)]
        }
        return grads(linearDelta) + grads(gateDelta)
    }
}
