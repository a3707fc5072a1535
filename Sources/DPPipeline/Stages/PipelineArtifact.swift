/// A type-erased artifact key: what a stage needs from earlier stages and leaves for later ones. The resolver checks
/// the chain before anything runs ("'train' needs a selection; add a 'select' stage before it").
///
/// Stages name artifacts through typed keys (`ArtifactKey<Value>`, e.g. `Artifacts.model`); this is their erasure,
/// equal when name and value type are equal. The built-in artifacts keep their short spellings (`.data`, `.model`, …)
/// so that `inputs`/`outputs` read `[.model, .split]`.
public struct PipelineArtifact: Sendable, Hashable, CustomStringConvertible {
    /// The artifact's name, unique among artifacts (e.g. `model`, `example.model_card`).
    public let name: String
    /// The stage that usually produces it, for "add a '…' stage" hints.
    public let producer: String
    /// "the" or "a", for messages ("needs a split").
    public let article: String
    /// `String(reflecting:)` of the value type; two keys with one name and different types are different artifacts.
    public let valueType: String

    public init<Value>(_ key: ArtifactKey<Value>) {
        name = key.name
        producer = key.producer
        article = key.article
        valueType = String(reflecting: Value.self)
    }

    public var description: String { name }

    public static func == (a: PipelineArtifact, b: PipelineArtifact) -> Bool { a.name == b.name && a.valueType == b.valueType }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(valueType)
    }

    /// A loaded private data frame with its public schema (`load`).
    public static let data = PipelineArtifact(Artifacts.data)
    /// Chosen feature and label columns (`select`).
    public static let selection = PipelineArtifact(Artifacts.selection)
    /// A training part and a test part (`split`).
    public static let split = PipelineArtifact(Artifacts.split)
    /// A trained model (`train`).
    public static let model = PipelineArtifact(Artifacts.model)
    /// Prediction columns on the test part (`predict`).
    public static let predictions = PipelineArtifact(Artifacts.predictions)
    /// Released metric values (`evaluate`).
    public static let metrics = PipelineArtifact(Artifacts.metrics)
}
