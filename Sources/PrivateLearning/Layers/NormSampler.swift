/// What a norm sampler receives for one layer after a forward/backward pass on a batch (or slice).
public struct NormSamplerInput: Sendable {
    /// The value the layer's `forward` returned.
    public var saved: any Sendable
    /// Per-example gradient of each example's own loss with respect to the layer's output.
    public var outputGradient: Tensor
    /// Privacy unit of every row.
    public var units: PrivacyUnits

    public init(saved: any Sendable, outputGradient: Tensor, units: PrivacyUnits) {
        self.saved = saved
        self.outputGradient = outputGradient
        self.units = units
    }
}

/// A fast path for the squared per-unit gradient norms of one layer type (Opacus' per-layer
/// "norm samplers"), registered for the layer's TYPE in a `PluginRegistry`:
///
/// ```swift
/// try registry.registerNormSampler(for: MyLayer.self) { layer, input in
///     // one value per unit: ‖Σ_{i∈u} g_i‖² over all of the layer's parameters
/// }
/// ```
/// The result must equal, for every unit `u`, the squared L2 norm of `Σ_{i∈u} g_i` over all of
/// the layer's parameters — `LayerConformance.check(…, registry:)` verifies that.
public struct NormSampler: Sendable {
    let compute: @Sendable (any Layer, NormSamplerInput) -> [Float]

    /// Wraps a type-specific sampler.
    public init<L: Layer & SendableMetatype>(for type: L.Type, _ sampler: @escaping @Sendable (L, NormSamplerInput) -> [Float]) {
        compute = { layer, input in
            guard let typed = layer as? L else { preconditionFailure("norm sampler called on another layer type") }
            return sampler(typed, input)
        }
    }

    /// Squared per-unit norms of `layer`'s gradient.
    public func squaredNorms(of layer: any Layer, _ input: NormSamplerInput) -> [Float] { compute(layer, input) }
}

/// Squared per-unit gradient norms of `layer`: the norm sampler registered for its type in
/// `registry` when there is one, else the generic fallback (materialised per-unit gradients).
/// A layer without parameters has zero norms.
public func perUnitSquaredGradientNorms(of layer: any Layer, _ input: NormSamplerInput,
                                        registry: PluginRegistry) -> [Float] {
    if layer.parameters.isEmpty { return [Float](repeating: 0, count: input.units.count) }
    if let sampler = registry.normSampler(for: layer) { return sampler.squaredNorms(of: layer, input) }
    return materializedPerUnitGradients(of: layer, outputGradient: input.outputGradient, saved: input.saved,
                                        units: input.units).map { grads in
        // Summed in Double; `ClipFactor`'s margin covers the final rounding to Float.
        Float(grads.reduce(0.0) { $0 + Double($1.squaredNorm()) })
    }
}
