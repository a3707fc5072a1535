import PrivateLearning

/// Batch normalisation (Keras `BatchNormalization`, last axis), registered so that pipeline
/// files and Keras models using it get a clear refusal under DP-SGD rather than an
/// "unknown layer" error.
///
/// In training it normalises each feature with the mean and variance *of the batch*, so
/// every example's output — and gradient — depends on the other examples: per-example
/// clipping no longer bounds one example's influence. `mixesExamples` is therefore `true`
/// and `PrivateModel` refuses it, suggesting `layer_normalization`. It still works in plain
/// (non-private) `Sequential` training, for comparisons.
public final class BatchNormalization: Layer {
    public let typeName = "batch_normalization"
    public var mixesExamples: Bool { true }
    /// ε added to the variance (Keras default 1e-3).
    public let epsilon: Float
    /// Moving-average momentum of the inference statistics (Keras default 0.99).
    public let momentum: Float

    /// `[gamma [F], beta [F]]`.
    public var parameters: [Tensor] = []
    /// Inference statistics (not trained by gradients).
    public private(set) var movingMean: [Float] = []
    public private(set) var movingVariance: [Float] = []

    var features = 0
    /// Saved by `forward`.
    struct Saved: Sendable { var normalized: [Float]; var inverseStd: [Float]; var rows: Int; var batchSize: Int }

    public init(epsilon: Float = 1e-3, momentum: Float = 0.99) {
        precondition(epsilon > 0 && momentum >= 0 && momentum <= 1, "batch_normalization: epsilon > 0, momentum in [0, 1]")
        self.epsilon = epsilon
        self.momentum = momentum
    }

    public var configuration: PluginParameters {
        ["epsilon": .decimal(epsilon), "momentum": .decimal(momentum)]
    }

    public func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
        guard let last = inputShape.last, last > 0 else {
            throw PrivateLearningError.incompatibleShape(layer: typeName, index: index, inputShape: inputShape,
                                                         reason: "batch_normalization needs a non-empty feature axis")
        }
        features = last
        parameters = [Tensor(repeating: 1, shape: [last]), Tensor(zeros: [last])]
        movingMean = [Float](repeating: 0, count: last)
        movingVariance = [Float](repeating: 1, count: last)
        return inputShape
    }

    public func forward(_ input: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        let f = features, n = input.count / f
        var out = input
        let gamma = parameters[0].storage, beta = parameters[1].storage
        var mean = movingMean, variance = movingVariance
        if training, n > 0 {
            mean = [Float](repeating: 0, count: f)
            variance = [Float](repeating: 0, count: f)
            for r in 0..<n { for j in 0..<f { mean[j] += input.storage[r &* f &+ j] } }
            for j in 0..<f { mean[j] /= Float(n) }
            for r in 0..<n { for j in 0..<f { let d = input.storage[r &* f &+ j] - mean[j]; variance[j] += d * d } }
            for j in 0..<f {
                variance[j] /= Float(n)
                movingMean[j] = momentum * movingMean[j] + (1 - momentum) * mean[j]
                movingVariance[j] = momentum * movingVariance[j] + (1 - momentum) * variance[j]
            }
        }
        let inv = variance.map { 1 / ($0 + epsilon).squareRoot() }
        var xhat = [Float](repeating: 0, count: input.count)
        for r in 0..<n {
            for j in 0..<f {
                let k = r &* f &+ j
                xhat[k] = (input.storage[k] - mean[j]) * inv[j]
                out.storage[k] = gamma[j] * xhat[k] + beta[j]
            }
        }
        return (out, Saved(normalized: xhat, inverseStd: inv, rows: n, batchSize: input.rows))
    }

    /// Full batch-statistics backward pass: `dx = s·(dx̂ − mean_b(dx̂) − x̂·mean_b(dx̂ ⊙ x̂))`
    /// with the means over the batch (this is where examples mix).
    public func backward(_ dy: Tensor, saved: any Sendable) -> Tensor {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        let normalized = s.normalized, inverseStd = s.inverseStd
        let f = features, n = s.rows
        let gamma = parameters[0].storage
        var meanD = [Float](repeating: 0, count: f), meanDH = [Float](repeating: 0, count: f)
        for r in 0..<n {
            for j in 0..<f {
                let k = r &* f &+ j, d = dy.storage[k] * gamma[j]
                meanD[j] += d
                meanDH[j] += d * normalized[k]
            }
        }
        var dx = dy
        for r in 0..<n {
            for j in 0..<f {
                let k = r &* f &+ j
                dx.storage[k] = inverseStd[j] * (dy.storage[k] * gamma[j] - meanD[j] / Float(n) - normalized[k] * meanDH[j] / Float(n))
            }
        }
        return dx
    }

    public func parameterGradients(outputGradient dy: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        let normalized = s.normalized, outputGradient = dy.storage, batchSize = s.batchSize
        let f = features, m = batchSize > 0 ? s.rows / batchSize : 0
        var gg = [Float](repeating: 0, count: f), gb = [Float](repeating: 0, count: f)
        for i in 0..<batchSize {
            let wi = exampleWeights?[i] ?? 1
            for r in (i * m)..<((i + 1) * m) {
                for j in 0..<f {
                    let k = r &* f &+ j, d = wi * outputGradient[k]
                    gg[j] += d * normalized[k]
                    gb[j] += d
                }
            }
        }
        return [Tensor(shape: [f], values: gg), Tensor(shape: [f], values: gb)]
    }
}
