/// What one training forward/backward pass of a `Sequential` recorded: every layer's saved value
/// and output gradient. Layers are stateless; the tape is the only batch state, one per thread.
public struct Tape: Sendable {
    /// `saved[k]`: what `layers[k].forward` returned besides its output.
    public var saved: [any Sendable]
    /// `outputGradients[k]`: per-example gradient of each example's own loss with respect to
    /// `layers[k]`'s output (empty until `Sequential.backward(_:tape:)`).
    public var outputGradients: [Tensor]
    /// Examples in the recorded batch.
    public var batchSize: Int

    public init(saved: [any Sendable] = [], outputGradients: [Tensor] = [], batchSize: Int = 0) {
        self.saved = saved
        self.outputGradients = outputGradients
        self.batchSize = batchSize
    }

    /// The norm-sampler input of layer `k` for `units`.
    public func normSamplerInput(layer k: Int, units: PrivacyUnits) -> NormSamplerInput {
        NormSamplerInput(saved: saved[k], outputGradient: outputGradients[k], units: units)
    }
}
