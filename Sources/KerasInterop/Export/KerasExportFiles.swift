import Foundation

/// The pair of files a Keras export wrote, and in which Keras spelling.
public struct KerasExportFiles: Sendable, Equatable {
    /// The model JSON, for `keras.models.model_from_json(open(path).read())`.
    public var json: URL
    /// The `.npz` weights, for `model.set_weights(list(np.load(path).values()))`.
    public var weights: URL
    /// The Keras generation the JSON is written for.
    public var generation: KerasGeneration

    public init(json: URL, weights: URL, generation: KerasGeneration) {
        self.json = json
        self.weights = weights
        self.generation = generation
    }
}
