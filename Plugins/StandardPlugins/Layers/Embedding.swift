import PrivateLearning

/// Maps integer tokens to learned vectors (Keras `Embedding`): per-example input `[L]` of
/// token indices in `[0, inputDim)` stored as Floats, output `[L, outputDim]`.
///
/// Example `i`'s gradient touches only the rows of the tokens it contains, so its norm is
/// computed from those rows alone (its registered norm sampler, `Embedding+PerExample.swift`) and
/// examples never interact.
/// The input is not differentiable; `backward` returns zeros.
///
/// `maskZero` (Keras `mask_zero`): token 0 is padding, and the layer hands the next layers a
/// `SequenceMask` (`false` where the token is 0) that `global_average_pooling1d`, `gru`, `lstm` and
/// `bidirectional` respect. Row 0 is still an ordinary trainable row (as in Keras).
public final class Embedding: SequenceMaskingLayer {
    public let typeName = "embedding"
    /// Vocabulary size V: tokens are integers in [0, V).
    public let inputDim: Int
    /// Vector length D per token.
    public let outputDim: Int
    /// Keras initialiser name: `uniform` (U(−0.05, 0.05), the Keras default) or any `Initializer`.
    public let embeddingsInitializer: String
    /// Token 0 is padding: produce a `SequenceMask` for the next layers.
    public let maskZero: Bool

    /// `[embeddings [V, D]]`.
    public var parameters: [Tensor] = []
    var length = 0

    /// Saved by `forward`: the token index of every position, `[B·L]`.
    public struct Saved: Sendable { public var tokens: [Int]; public var batchSize: Int }

    public init(inputDim: Int, outputDim: Int, embeddingsInitializer: String = "uniform", maskZero: Bool = false) {
        precondition(inputDim > 0 && outputDim > 0, "embedding: input_dim and output_dim > 0")
        precondition(embeddingsInitializer == "uniform" || Initializer(rawValue: embeddingsInitializer) != nil,
                     "embedding: unknown initializer")
        self.inputDim = inputDim
        self.outputDim = outputDim
        self.embeddingsInitializer = embeddingsInitializer
        self.maskZero = maskZero
    }

    public var configuration: PluginParameters {
        ["input_dim": .int(inputDim), "output_dim": .int(outputDim), "embeddings_initializer": .string(embeddingsInitializer),
         "mask_zero": .bool(maskZero)]
    }

    public func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
        guard inputShape.count == 1, inputShape[0] > 0 else {
            throw PrivateLearningError.incompatibleShape(layer: typeName, index: index, inputShape: inputShape,
                                                         reason: "embedding needs a flat sequence of token indices per example")
        }
        length = inputShape[0]
        let count = inputDim * outputDim
        let values: [Float]
        if let initializer = Initializer(rawValue: embeddingsInitializer) {
            values = initializer.values(count: count, fanIn: inputDim, fanOut: outputDim, using: &generator)
        } else {
            values = (0..<count).map { _ in Float.random(in: -0.05...0.05, using: &generator) }
        }
        parameters = [Tensor(shape: [inputDim, outputDim], values: values)]
        return [length, outputDim]
    }

    /// Token of a stored value: an index in [0, V) as is; any other value is rounded to the nearest integer and
    /// clamped to [0, V − 1] (NaN → 0). A fixed per-example transformation, so no input value can make training
    /// trap or fail (in a pipeline that would happen after the reservation, and depend on the data).
    @inline(__always)
    func token(_ v: Float) -> Int {
        guard !v.isNaN else { return 0 }
        let r = v.rounded()
        if r <= 0 { return 0 }
        if r >= Float(inputDim - 1) { return inputDim - 1 }
        return Int(r)
    }

    public func forward(_ input: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        let n = input.count, d = outputDim
        var out = [Float](repeating: 0, count: n * d)
        var ids = [Int](repeating: 0, count: n)
        parameters[0].storage.withUnsafeBufferPointer { e in
            out.withUnsafeMutableBufferPointer { o in
                for k in 0..<n {
                    let t = token(input.storage[k])
                    ids[k] = t
                    (o.baseAddress! + k &* d).update(from: e.baseAddress! + t &* d, count: d)
                }
            }
        }
        return (Tensor(shape: [input.rows, n / max(input.rows, 1), d], values: out), Saved(tokens: ids, batchSize: input.rows))
    }

    /// The forward pass and, with `maskZero`, the mask `token ≠ 0` per position (the incoming mask is ignored:
    /// an embedding starts a sequence).
    public func forward(_ input: Tensor, mask: SequenceMask?, training: Bool) -> (output: Tensor, saved: any Sendable, mask: SequenceMask?) {
        let (y, saved) = forward(input, training: training)
        guard maskZero, length > 0 else { return (y, saved, nil) }
        let ids = savedValue(saved, as: Saved.self, layer: typeName).tokens
        return (y, saved, SequenceMask(steps: length, values: ids.map { $0 != 0 }))
    }

    public func backward(_ dy: Tensor, saved: any Sendable) -> Tensor {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        precondition(dy.count == s.tokens.count * outputDim, "embedding: backward batch differs from the forward batch")
        return Tensor(zeros: [s.batchSize, length])
    }

    /// `Σ_i w_i Σ_p e_{token(i,p)} ⊗ dy_{i,p}`: a scatter-add of weighted output-gradient rows.
    public func parameterGradients(outputGradient dy: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        let tokens = s.tokens, batchSize = s.batchSize, outputGradient = dy.storage
        let d = outputDim
        var g = [Float](repeating: 0, count: inputDim * d)
        for i in 0..<batchSize {
            let w = exampleWeights?[i] ?? 1
            if w == 0 { continue }
            for p in 0..<length {
                let k = i &* length &+ p, row = tokens[k] &* d, src = k &* d
                for j in 0..<d { g[row &+ j] += w * outputGradient[src &+ j] }
            }
        }
        return [Tensor(shape: [inputDim, d], values: g)]
    }
}
