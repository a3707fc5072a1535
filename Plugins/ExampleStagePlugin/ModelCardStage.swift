import DPPipeline
import Foundation
import PrivateLearning

/// `example_model_card: {file: NAME}` — a third-party stage: reads the trained model through its typed key
/// (`Artifacts.model`), writes a short model card (layers, parameter counts, the plan's ε and δ) into the output
/// folder, and leaves the card's text for later stages under its own key (`ModelCardStage.card`).
///
/// DP: the model is a DP release, the plan's ε and δ are public, so the card is post-processing and costs nothing.
/// It must come after `train` (its input) and before `export` (ordering constraint: a card describes the
/// model that is exported).
public struct ModelCardStage: PipelineStage {
    public static let kind = "example_model_card"
    /// The card's text, for stages after this one.
    public static let card = ArtifactKey<String>("example.model_card", producedBy: kind)

    public var position: SourcePosition
    public var file: String

    public var inputs: [PipelineArtifact] { [Artifacts.model.erased] }
    public var outputs: [PipelineArtifact] { [Self.card.erased] }

    public static let definition = StageDefinition(
        name: kind, summary: "Write a model card (layers, parameter counts, ε, δ) next to the report (example plugin).",
        keys: [.init("file", "name", "file name of the card without extension (default model_card)")],
        ordering: .init(after: ["train"], before: ["export"], atMostOnce: true),
        decode: { value, diagnostics in
            if value.isNull { return ModelCardStage(position: value.position, file: "model_card") }
            guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
            let file = r.string("file", diagnostics: &diagnostics) ?? "model_card"
            r.finish(diagnostics: &diagnostics)
            guard !file.isEmpty, !file.contains("/"), !file.hasPrefix(".") else {
                diagnostics.error(value.position, "'\(value.path).file' must be a plain file name")
                return nil
            }
            return ModelCardStage(position: value.position, file: file)
        })

    public init(position: SourcePosition, file: String) {
        self.position = position
        self.file = file
    }

    public func resolve(_ context: inout ResolutionContext) {}

    public func run(_ context: inout RunContext) throws {
        guard let trained = context[Artifacts.model] else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no trained model")
        }
        var lines = ["# Model card: \(context.pipeline.spec.name)", "",
                     "Trained with DP-SGD; the whole run spends ε = \(PrivacyFormat.string(context.plan.totalEpsilon)), "
                         + "δ = \(PrivacyFormat.string(context.plan.totalDelta)).", "", "| layer | parameters |", "| --- | --- |"]
        for layer in trained.model.layers {
            lines.append("| \(layer.typeName) | \(layer.parameters.reduce(0) { $0 + $1.storage.count }) |")
        }
        let text = lines.joined(separator: "\n") + "\n"
        let name = file + ".md"
        do {
            try text.write(toFile: context.options.outputDirectory + "/" + name, atomically: true, encoding: .utf8)
        } catch {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "cannot write \(name): \(error)")
        }
        context.outputs.append(name)
        context[Self.card] = text
        context.logForAuthor("wrote \(name) (post-processing of the DP model: no privacy cost)")
    }
}
