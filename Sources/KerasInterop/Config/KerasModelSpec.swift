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

/// One Keras layer of a `Sequential` model, mapped to a dpflow registry name and parameters.
public struct KerasLayerSpec: Sendable, Equatable {
    /// Position in the JSON's `config.layers` array (as shown in error messages).
    public var index: Int
    /// Keras class name, e.g. `Dense`.
    public var className: String
    /// Keras layer name (`dense_1`), if any.
    public var name: String?
    /// The dpflow plugin registry name the class maps to (`dense`).
    public var registryName: String
    /// Options passed to the registry factory, with Keras option names; metadata (name,
    /// dtype, trainable, shapes) and options left at their null default are removed, and
    /// initializer objects are reduced to their snake-case names (`glorot_uniform`).
    public var parameters: [String: KerasConfigValue]
    /// Per-example input shape of this layer when the JSON records it (`build_config`) or it
    /// can be inferred; nil otherwise.
    public var inputShape: [Int]?
}
