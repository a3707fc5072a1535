/// A typed key for an artifact that stages pass to each other through the `RunContext`: `context[Artifacts.model]`
/// is a `Sequential?`, so a third-party stage reads the trained model or the predictions with their types, and the
/// resolver checks before the run that some earlier stage produces every key a stage lists in `inputs`.
///
/// ```swift
/// extension Artifacts {
///     public static let modelCard = ArtifactKey<String>("example.model_card", producedBy: "model_card")
/// }
/// ```
/// Keys are compared by name and value type. Names of third-party artifacts should carry a prefix (`example.`).
public struct ArtifactKey<Value>: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    /// The stage that usually produces this artifact (used in "add a '…' stage before it").
    public let producer: String
    /// "the" or "a", for messages.
    public let article: String

    public init(_ name: String, producedBy producer: String, article: String = "the") {
        self.name = name
        self.producer = producer
        self.article = article
    }

    /// The type-erased key listed in a stage's `inputs` and `outputs`.
    public var erased: PipelineArtifact { PipelineArtifact(self) }
    public var description: String { name }
}
