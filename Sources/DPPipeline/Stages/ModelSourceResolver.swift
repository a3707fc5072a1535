import PrivateLearning

/// Builds a model from a `train.model` mapping instead of a layer list, e.g.
/// `model: {keras_json: local_model.json, weights: weights.npz}`. The Keras interop module registers one under
/// the key `keras_json` with `StageRegistry.registerModelSource(_:_:)`.
public protocol ModelSourceResolver: Sendable {
    /// Every key the mapping may contain (the selecting key included); others are "unknown key" errors.
    var keys: [String] { get }
    /// Phase (b) checks without building the model (files exist, shapes fit `featureWidth`).
    func validate(_ spec: SpecValue, directory: String, featureWidth: Int?, plugins: PluginRegistry,
                  diagnostics: inout DiagnosticCollector)
    /// Builds the model for `inputWidth` encoded features (files resolved against `directory`).
    func makeModel(_ spec: SpecValue, directory: String, inputWidth: Int, plugins: PluginRegistry) throws -> ModelSourceResult
    /// Outputs per example of the model, when the source can tell without data (for the loss checks that must
    /// run before the reservation); nil when unknown.
    func outputWidth(_ spec: SpecValue, directory: String, plugins: PluginRegistry) -> Int?
}

extension ModelSourceResolver {
    public func outputWidth(_ spec: SpecValue, directory: String, plugins: PluginRegistry) -> Int? { nil }
}

/// A model built by a `ModelSourceResolver`, with whatever the source wants exporters to know (e.g. the
/// imported Keras model, whose generation and layer names a Keras export keeps). Not `Sendable`: it carries
/// the model (a class) from the source to the training stage of one run.
public struct ModelSourceResult {
    public var model: Sequential
    public var origin: Any?

    public init(model: Sequential, origin: Any? = nil) {
        self.model = model
        self.origin = origin
    }
}

/// Writes a trained model in a foreign format, for `export: {<key>: name, format: …}`.
public protocol ModelExporter: Sendable {
    /// Accepted values of `format:`; the first is the default.
    var formats: [String] { get }
    /// Writes `model` as `name` (plus extensions) into `directory`; returns the file names written.
    /// - Parameter origin: `ModelSourceResult.origin` when the model came from a model source, else nil.
    func export(_ model: Sequential, origin: Any?, name: String, format: String?, to directory: String) throws -> [String]
}
