import PrivateLearning

/// Fully connected layer `a = f(x·W + b)` with Keras semantics (kernel shape `[inputs, units]`).
///
/// Stateless: `forward` saves `Dense.Saved` (input, pre-activation, output). Its registered norm
/// sampler (see `Dense+PerExample.swift`) costs O(B·(inputs + units)) per example and its clipped
/// gradient sum one GEMM.
public final class Dense: Layer {
    public let typeName = "dense"
    /// Output features per example.
    public let units: Int
    /// Activation applied after the affine map (fused, so `δ` is taken before it).
    public let activation: ActivationFunction
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer

    /// `[kernel [inputs, units], bias [units]]` (bias only when `useBias`).
    public var parameters: [Tensor] = []
    public private(set) var inputFeatures = 0

    /// What the backward pass needs from a forward pass.
    public struct Saved: Sendable {
        /// `[B, inputs]`.
        public var input: Tensor
        /// `x·W + b`, `[B, units]`.
        public var preActivation: Tensor
        /// `f(x·W + b)`, `[B, units]`.
        public var output: Tensor
    }

    /// - Parameters:
    ///   - units: output features per example (> 0).
    ///   - activation: fused activation, default linear.
    ///   - useBias: whether to add a bias vector.
    ///   - kernelInitializer: Keras initialiser name of the kernel (default glorot_uniform).
    public init(_ units: Int, activation: ActivationFunction = .linear, useBias: Bool = true,
                kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros) {
        precondition(units > 0, "Dense needs units > 0")
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
    }

    public var configuration: PluginParameters {
        ["units": .int(units), "activation": .string(activation.rawValue), "use_bias": .bool(useBias),
         "kernel_initializer": .string(kernelInitializer.rawValue), "bias_initializer": .string(biasInitializer.rawValue)]
    }

    public func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
        guard inputShape.count == 1, inputShape[0] > 0 else {
            throw PrivateLearningError.incompatibleShape(layer: typeName, index: index, inputShape: inputShape,
                                                         reason: "dense needs a flat feature vector per example; add a flatten layer before it")
        }
        inputFeatures = inputShape[0]
        let kernel = Tensor(shape: [inputFeatures, units],
                            values: kernelInitializer.values(count: inputFeatures * units, fanIn: inputFeatures, fanOut: units, using: &generator))
        parameters = [kernel]
        if useBias {
            parameters.append(Tensor(shape: [units], values: biasInitializer.values(count: units, fanIn: inputFeatures, fanOut: units, using: &generator)))
        }
        return [units]
    }

    public func forward(_ x: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        precondition(x.columns == inputFeatures, "dense: expected \(inputFeatures) features per example, got \(x.columns)")
        let b = x.rows
        var z = [Float](repeating: 0, count: b * units)
        if useBias, b > 0 {
            parameters[1].storage.withUnsafeBufferPointer { bias in
                z.withUnsafeMutableBufferPointer { zz in
                    for r in 0..<b { (zz.baseAddress! + r &* units).update(from: bias.baseAddress!, count: units) }
                }
            }
        }
        if b > 0 {
            x.storage.withUnsafeBufferPointer { xx in
                parameters[0].storage.withUnsafeBufferPointer { k in
                    z.withUnsafeMutableBufferPointer { zz in
                        LinearAlgebra.gemm(transposeA: false, transposeB: false, m: b, n: units, k: inputFeatures,
                                           alpha: 1, a: xx.baseAddress!, lda: inputFeatures, b: k.baseAddress!, ldb: units,
                                           beta: useBias ? 1 : 0, c: zz.baseAddress!, ldc: units)
                    }
                }
            }
        }
        let zt = Tensor(shape: [b, units], values: z)
        let a = activation.apply(zt)
        return (a, Saved(input: x.shape.count == 2 ? x : x.reshaped([b, inputFeatures]), preActivation: zt, output: a))
    }

    /// `δ = f'(z) ⊙ dy`, the gradient with respect to the pre-activation, `[B, units]`.
    public func delta(_ outputGradient: Tensor, saved s: Saved) -> Tensor {
        activation.backward(z: s.preActivation, a: s.output, outputGradient: outputGradient.reshaped([outputGradient.rows, units]))
    }

    public func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor {
        let b = outputGradient.rows
        let delta = self.delta(outputGradient, saved: savedValue(saved, as: Saved.self, layer: typeName))
        // Every element is written by the GEMM (beta = 0): no zero-initialisation needed.
        var dx = b == 0 ? [] : [Float](unsafeUninitializedCapacity: b * inputFeatures) { _, c in c = b * inputFeatures }
        if b > 0 {
            delta.storage.withUnsafeBufferPointer { d in
                parameters[0].storage.withUnsafeBufferPointer { k in
                    dx.withUnsafeMutableBufferPointer { o in
                        LinearAlgebra.gemm(transposeA: false, transposeB: true, m: b, n: inputFeatures, k: units,
                                           alpha: 1, a: d.baseAddress!, lda: units, b: k.baseAddress!, ldb: units,
                                           beta: 0, c: o.baseAddress!, ldc: inputFeatures)
                    }
                }
            }
        }
        return Tensor(shape: [b, inputFeatures], values: dx)
    }

    static func scaleRows(_ d: inout [Float], by w: [Float], width: Int) {
        d.withUnsafeMutableBufferPointer { p in
            for r in 0..<w.count {
                let wr = w[r], row = p.baseAddress! + r &* width
                for j in 0..<width { row[j] *= wr }
            }
        }
    }

    /// `Σ_i w_i·x_iᵀδ_i` (kernel) and `Σ_i w_i·δ_i` (bias): one GEMM and one GEMV.
    public func parameterGradients(outputGradient: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        let input = s.input
        let delta = self.delta(outputGradient, saved: s)
        let b = delta.rows
        var gk = [Float](repeating: 0, count: inputFeatures * units)
        var gb = [Float](repeating: 0, count: useBias ? units : 0)
        if b > 0 {
            var x = input
            var d = delta.storage
            var rows = b
            if let w = exampleWeights {
                precondition(w.count == b, "dense: \(w.count) example weights for a batch of \(b)")
                if w.contains(0) {
                    // Examples with weight 0 (dropped by DP-SGD, e.g. a non-finite gradient) are
                    // removed rather than multiplied by 0, so a NaN in them cannot leak into the sum.
                    let keep = w.indices.filter { w[$0] != 0 }
                    x = input.gatheringRows(keep)
                    d = delta.gatheringRows(keep).storage
                    rows = keep.count
                    let kw = keep.map { w[$0] }
                    Self.scaleRows(&d, by: kw, width: units)
                } else {
                    Self.scaleRows(&d, by: w, width: units)
                }
            }
            if rows > 0 {
                x.storage.withUnsafeBufferPointer { xx in
                    d.withUnsafeBufferPointer { dd in
                        gk.withUnsafeMutableBufferPointer { g in
                            LinearAlgebra.gemm(transposeA: true, transposeB: false, m: inputFeatures, n: units, k: rows,
                                               alpha: 1, a: xx.baseAddress!, lda: inputFeatures, b: dd.baseAddress!, ldb: units,
                                               beta: 0, c: g.baseAddress!, ldc: units)
                        }
                    }
                }
                if useBias {
                    let ones = [Float](repeating: 1, count: rows)
                    d.withUnsafeBufferPointer { dd in
                        ones.withUnsafeBufferPointer { o in
                            gb.withUnsafeMutableBufferPointer { g in
                                LinearAlgebra.gemv(transpose: true, rows: rows, columns: units, alpha: 1, a: dd.baseAddress!,
                                                   x: o.baseAddress!, beta: 0, y: g.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
        var grads = [Tensor(shape: [inputFeatures, units], values: gk)]
        if useBias { grads.append(Tensor(shape: [units], values: gb)) }
        return grads
    }
}
