/// A layer of a batch-first network, with the hooks DP-SGD needs.
///
/// The contract ("book-keeping" DP-SGD, one backward pass per step):
/// 1. `build(inputShape:using:)` once: learn the per-example input shape, create parameters,
///    return the per-example output shape.
/// 2. `forward(_:training:)` on a batch `[B, …]`, caching what the backward pass needs.
/// 3. `backward(_:)` receives the gradient of each example's *own* loss with respect to this
///    layer's output (row `i` = example `i`, never averaged), caches it, and returns the same for
///    the layer's input.
/// 4. `parameterGradients(exampleWeights:)` returns `Σ_i w_i · g_i` for every parameter tensor,
///    where `g_i` is example `i`'s gradient; `nil` weights mean all ones. DP-SGD passes the clip
///    factors here, so the clipped sum costs no more than an ordinary gradient.
///
/// Per-example gradient norms come from `PerExampleGradientNorms` when a layer adopts it;
/// otherwise `perExampleSquaredGradientNorms(of:)` materialises each example's gradient with
/// one-hot weights — correct for any layer whose examples do not interact, only slower.
/// Layers that do mix examples (batch normalisation) must return `mixesExamples == true`; DP
/// models refuse them. Check a new layer with `LayerConformance.check`.
public protocol Layer: AnyObject {
    /// Registry name (`dense`, `activation` …), used in summaries, errors and saved configs.
    var typeName: String { get }

    /// Configuration that, given to this layer's registry factory, rebuilds the same layer
    /// (without weights). Used by model save/load.
    var configuration: PluginParameters { get }

    /// Creates parameters for per-example inputs of `inputShape` (batch dimension excluded)
    /// and returns the per-example output shape.
    /// - Throws: `PrivateLearningError.incompatibleShape` (use `index` in the message).
    func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int]

    /// Forward pass on a batch (`input.shape[0]` examples). `training` enables dropout etc.
    func forward(_ input: Tensor, training: Bool) -> Tensor

    /// Backward pass: per-example output gradients in, per-example input gradients out.
    func backward(_ outputGradient: Tensor) -> Tensor

    /// Trainable parameters, in a fixed order; `parameters` can be assigned (optimizer, load).
    /// During an optimizer update the model briefly assigns `[]` (so the update can happen in
    /// place without copying), then the updated tensors of the same shapes: a setter must not
    /// reject an empty list. Read parameters only inside `forward`/`backward`/gradients.
    var parameters: [Tensor] { get set }

    /// `Σ_i w_i · g_i` for each parameter tensor, from the last forward/backward pass.
    func parameterGradients(exampleWeights: [Float]?) -> [Tensor]

    /// `true` when one example's output depends on other examples of the batch.
    var mixesExamples: Bool { get }

    /// Output and parameter shapes `build(inputShape:index:using:)` would produce, computed
    /// without allocating (checked arithmetic), or nil when the layer cannot tell before it is
    /// built. `Sequential` checks resource limits with it before building each layer.
    /// - Throws: as `build` for an input it cannot take.
    func plannedShapes(inputShape: [Int], index: Int) throws -> LayerShapePlan?
}

extension Layer {
    public var mixesExamples: Bool { false }
    public func plannedShapes(inputShape: [Int], index: Int) throws -> LayerShapePlan? { nil }
    /// Number of scalar parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
}

/// Capability: per-example squared gradient norms without materialising per-example gradients.
///
/// Adopt it when the maths allows (Dense: `‖a_i‖²·‖δ_i‖² + ‖δ_i‖²`). Values must equal the
/// squared L2 norm, over all of this layer's parameters, of each example's gradient from the
/// last forward/backward pass — `LayerConformance.check` verifies that.
public protocol PerExampleGradientNorms: Layer {
    /// One entry per example of the last batch.
    func perExampleSquaredGradientNorms() -> [Float]
}

/// Squared per-example gradient norms of any layer after a backward pass on `batchSize`
/// examples: the fast path when the layer has it, else one-hot weighted gradient sums.
public func perExampleSquaredGradientNorms(of layer: any Layer, batchSize: Int) -> [Float] {
    if let fast = layer as? any PerExampleGradientNorms { return fast.perExampleSquaredGradientNorms() }
    if layer.parameters.isEmpty { return [Float](repeating: 0, count: batchSize) }
    return materializedPerExampleGradients(of: layer, batchSize: batchSize).map { grads in
        // Summed in Double; `ClipFactor`'s margin covers the final rounding to Float.
        Float(grads.reduce(0.0) { $0 + Double($1.squaredNorm()) })
    }
}

/// Each example's own gradient for every parameter tensor of `layer` (one-hot weights).
/// Costs `batchSize` gradient evaluations: for checks and the generic fallback only.
public func materializedPerExampleGradients(of layer: any Layer, batchSize: Int) -> [[Tensor]] {
    var weights = [Float](repeating: 0, count: batchSize)
    var result: [[Tensor]] = []
    result.reserveCapacity(batchSize)
    for i in 0..<batchSize {
        weights[i] = 1
        result.append(layer.parameterGradients(exampleWeights: weights))
        weights[i] = 0
    }
    return result
}
