import Foundation
import PrivateLearning

/// A dpflow model rebuilt from a Keras `Sequential` model, with where it came from.
///
/// Not `Sendable`: it holds the mutable `Sequential` that training updates.
public struct ImportedKerasModel {
    /// The rebuilt model, ready for `PrivateModel(model:…)` or prediction.
    public let model: Sequential
    /// The Keras generation that wrote the JSON; the default for exporting it back.
    public let generation: KerasGeneration
    /// The parsed configuration (layer names and options as in the JSON).
    public let spec: KerasModelSpec
    /// True when weights were loaded; false when the layers hold fresh initial weights.
    public let hasLoadedWeights: Bool

    /// Writes the model back as Keras JSON + `.npz`, keeping the imported model and layer names.
    /// - Parameters:
    ///   - generation: Keras spelling to write; nil writes the generation it was imported from.
    /// - Throws: `KerasInteropError`.
    public func export(json: URL, weights: URL, generation: KerasGeneration? = nil) throws {
        try KerasModelExporter.write(model: model, generation: generation ?? self.generation,
                                     json: json, weights: weights, template: spec)
    }
}
