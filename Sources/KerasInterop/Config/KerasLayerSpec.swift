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
