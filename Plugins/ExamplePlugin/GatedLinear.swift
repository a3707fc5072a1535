import Foundation
import PrivateLearning

/// A gated linear unit, `y = (x·W + b) ⊙ σ(x·V + c)` (Dauphin et al. 2017): a linear map whose
/// every output is scaled by a learned sigmoid gate.
///
/// It shows the minimum a layer plugin must provide: `build`, `forward`, `backward` and
/// `parameterGradients(outputGradient:saved:exampleWeights:)`, stateless (what backward needs is
/// returned by `forward`). It deliberately registers **no** norm sampler: DP-SGD then computes each example's gradient norm with the
/// generic fallback (one weighted gradient evaluation per example), which is correct for any
/// layer whose examples do not interact — only slower.
public final class GatedLinear: Layer {
    public let typeName = "gated_linear"
    /// Output features per example.
    public let units: Int

    /// `[W [inputs, units], b [units], V [inputs, units], c [units]]`.
    public var parameters: [Tensor] = []
    var inputs = 0

    /// Saved by `forward`: the input, `x·W + b` and the gate `σ(x·V + c)`.
    struct Saved: Sendable { var input: Tensor; var linear: Tensor; var gate: Tensor }

    /// `∂ℓ_i/∂(x·W + b) = dy ⊙ gate` and `∂ℓ_i/∂(x·V + c) = dy ⊙ linear ⊙ gate ⊙ (1 − gate)`.
    func deltas(_ dy: Tensor, _ s: Saved) -> (linear: Tensor, gate: Tensor) {
        let b = dy.rows
        var linearDelta = dy.reshaped([b, units])
        var gateDelta = linearDelta
        for i in 0..<linearDelta.count {
            let g = s.gate.storage[i], d = dy.storage[i]
            linearDelta.storage[i] = d * g
            gateDelta.storage[i] = d * s.linear.storage[i] * g * (1 - g)
        }
        return (linearDelta, gateDelta)
    }

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

    public func forward(_ x: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        let flat = x.reshaped([x.rows, x.columns])
        let h = affine(flat, kernel: parameters[0], bias: parameters[1])
        var s = affine(flat, kernel: parameters[2], bias: parameters[3])
        for i in 0..<s.count { s.storage[i] = 1 / (1 + exp(-s.storage[i])) }
        var y = h
        for i in 0..<y.count { y.storage[i] *= s.storage[i] }
        return (y, Saved(input: flat, linear: h, gate: s))
    }

    public func backward(_ dy: Tensor, saved: any Sendable) -> Tensor {
        let b = dy.rows
        let (linearDelta, gateDelta) = deltas(dy, savedValue(saved, as: Saved.self, layer: typeName))
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
    public func parameterGradients(outputGradient dy: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        let input = s.input
        let (linearDelta, gateDelta) = deltas(dy, s)
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
