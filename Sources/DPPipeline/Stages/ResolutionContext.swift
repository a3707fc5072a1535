/// What phase (b) of validation knows while it walks the stages in order: registries, the artifacts produced
/// so far and the public facts earlier stages established (schema, columns, model shape).
public struct ResolutionContext: Sendable {
    public var diagnostics = DiagnosticCollector()
    /// Folder that relative paths in the pipeline file are resolved against.
    public var directory: String
    public var stages: StageRegistry
    public var plugins: PluginRegistry
    /// Artifacts produced by the stages resolved so far.
    public var available: Set<PipelineArtifact> = []

    /// Whether the realised number of records is public (`neighbouring: replace_one`). Under add_remove it is
    /// private, so no validation may depend on it.
    public var recordCountIsPublic = false
    /// The privacy unit column (`privacy.unit`), never a feature or the label.
    public var privacyUnit: String?

    // Facts left by earlier stages.
    public var csvPath: String?
    public var csvShape: CSVShape?
    public var schema: SchemaSpec?
    /// Feature columns chosen by `select`, in order.
    public var features: [String]?
    public var label: String?
    public var testFraction: Double?
    public var splitSeed: Int = 0
    /// Id column the split hashes (`split.by`); nil hashes each row's content.
    public var splitBy: String?
    /// The load declares a separate test set (`idx.test_images`): predict and evaluate use it, and no split is made.
    public var declaredTestSet = false
    public var predictionColumns: [String] = []
    /// Width of the encoded feature vector (categories one-hot), once known.
    public var featureWidth: Int?
    /// Training facts for planning.
    public var training: TrainingFacts?
    /// Ids (padding and unknown included) of each text column's vocabulary (`vocabulary` stages).
    public var vocabularySizes: [String: Int] = [:]
    /// Names given to models by `export`.
    public var exportedNames: Set<String> = []

    public init(directory: String, stages: StageRegistry, plugins: PluginRegistry) {
        self.directory = directory
        self.stages = stages
        self.plugins = plugins
    }

    /// Resolves a path written in the pipeline file against the file's folder.
    public func path(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : (directory as NSString).appendingPathComponent(relative)
    }
}

/// Public facts about the training stage that the plan prints.
public struct TrainingFacts: Sendable {
    public var layerSummary: [String]
    public var parameterCount: Int
    public var outputWidth: Int
}

import Foundation
import PrivateLearning
