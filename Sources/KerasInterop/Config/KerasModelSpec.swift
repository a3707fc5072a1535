/// A Keras `Sequential` model configuration, parsed and checked, before any dpflow layer exists.
///
/// Produced by `KerasModelSpec(json:file:)`; turned into a dpflow `Sequential` by
/// `KerasModelImporter`. Holds configuration only — weights come separately.
public struct KerasModelSpec: Sendable, Equatable {
    /// Which Keras wrote the JSON (detected from its spelling).
    public var generation: KerasGeneration
    /// The model's `name`, if any.
    public var name: String?
    /// Per-example input shape (the batch dimension removed), e.g. `[30]`.
    public var inputShape: [Int]
    /// The computing layers in order; `InputLayer` is folded into `inputShape`.
    public var layers: [KerasLayerSpec]
    /// `keras_version` of Keras 2 files (Keras 3 does not record it).
    public var kerasVersion: String?
    /// The file the JSON came from, used in error messages.
    public var file: String
}
