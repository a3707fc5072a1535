/// A stateless layer of a batch-first network, with the hooks DP-SGD needs.
///
/// A layer holds its configuration and parameters, never batch state: whatever its backward pass
/// needs is returned by `forward` as a *saved value*, and the framework (`Sequential`, a `Tape`)
/// keeps every layer's saved value and output gradient and hands them back explicitly. Parameters
/// are only read by `forward`, `backward` and `parameterGradients`, so several threads can run
/// one model on different slices of a batch at the same time.
///
/// The contract ("book-keeping" DP-SGD, one backward pass per step):
/// 1. `build(inputShape:index:using:)` once: learn the per-example input shape, create parameters,
///    return the per-example output shape.
/// 2. `forward(_:training:)` on a batch `[B, …]` returns the output and the saved value.
/// 3. `backward(_:saved:)` receives the gradient of each example's *own* loss with respect to this
///    layer's output (row `i` = example `i`, never averaged) and returns the same for the input.
/// 4. `parameterGradients(outputGradient:saved:exampleWeights:)` returns `Σ_i w_i · g_i` for every
///    parameter tensor, where `g_i` is example `i`'s gradient; `nil` weights mean all ones. DP-SGD
///    passes the clip factors here, so the clipped sum costs no more than an ordinary gradient.
///
/// Per-example (per-unit) gradient norms come from a `NormSampler` registered for the layer's
/// type in the `PluginRegistry`; otherwise `materializedPerUnitGradients` computes each unit's
/// gradient with indicator weights — correct for any layer whose examples do not interact, only
/// slower. Layers that do mix examples (batch normalisation) must return `mixesExamples == true`;
/// DP models refuse them. Check a new layer with `LayerConformance.check`.
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

    /// Forward pass on a batch (`input.shape[0]` examples, `input.shape.dropFirst()` the
    /// per-example shape). `training` enables dropout etc.
    /// - Returns: the output and the value `backward`/`parameterGradients` need (any Sendable
    ///   value; `()` when nothing is needed).
    func forward(_ input: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable)

    /// Backward pass: per-example output gradients in, per-example input gradients out.
    /// - Parameter saved: what `forward` returned for this batch.
    func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor

    /// Trainable parameters, in a fixed order; `parameters` can be assigned (optimizer, load).
    /// During an optimizer update the model briefly assigns `[]` (so the update can happen in
    /// place without copying), then the updated tensors of the same shapes: a setter must not
    /// reject an empty list. Read parameters only inside `forward`/`backward`/gradients.
    var parameters: [Tensor] { get set }

    /// `Σ_i w_i · g_i` for each parameter tensor, from a forward pass (`saved`) and the
    /// per-example output gradients of the same batch. `nil` weights mean all ones. An example
    /// with weight 0 must not contribute at all (not even a NaN).
    func parameterGradients(outputGradient: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor]

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
    /// Inference: the output of `forward(_:training: false)`.
    public func callAsFunction(_ input: Tensor) -> Tensor { forward(input, training: false).output }
}

/// The saved value of a layer's forward pass as the type the layer stored (programmer error
/// otherwise: a saved value always comes from the same layer's `forward`).
@inline(__always)
public func savedValue<T>(_ saved: any Sendable, as type: T.Type, layer: String) -> T {
    guard let value = saved as? T else {
        preconditionFailure("\(layer): the saved value does not come from this layer's forward pass")
    }
    return value
}

/// Each unit's own gradient for every parameter tensor of `layer` (indicator weights: 1 on the
/// unit's rows, 0 elsewhere). Costs `units.count` gradient evaluations: for checks and the
/// generic fallback only.
public func materializedPerUnitGradients(of layer: any Layer, outputGradient: Tensor, saved: any Sendable,
                                         units: PrivacyUnits) -> [[Tensor]] {
    var weights = [Float](repeating: 0, count: units.rowCount)
    var result: [[Tensor]] = []
    result.reserveCapacity(units.count)
    for u in 0..<units.count {
        let rows = units.rows(of: u)
        for r in rows { weights[r] = 1 }
        result.append(layer.parameterGradients(outputGradient: outputGradient, saved: saved, exampleWeights: weights))
        for r in rows { weights[r] = 0 }
    }
    return result
}

/// Each example's own gradient (every row its own unit).
public func materializedPerExampleGradients(of layer: any Layer, outputGradient: Tensor, saved: any Sendable) -> [[Tensor]] {
    materializedPerUnitGradients(of: layer, outputGradient: outputGradient, saved: saved,
                                 units: PrivacyUnits(rowCount: outputGradient.rows))
}
