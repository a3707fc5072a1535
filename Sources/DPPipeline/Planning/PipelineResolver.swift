import PrivateLearning

/// Phase (b) of validation: walks the decoded stages in order, checks that each stage's inputs were produced
/// by an earlier stage, and lets each stage resolve its names against the registries. Reads only the CSV
/// header and record count, never a value.
public struct PipelineResolver {
    public var stages: StageRegistry
    public var plugins: PluginRegistry

    public init(stages: StageRegistry, plugins: PluginRegistry) {
        self.stages = stages
        self.plugins = plugins
    }

    /// - Returns: the context after every stage resolved (facts for planning), or throws every problem at once.
    public func resolve(_ spec: PipelineSpec, earlier: DiagnosticCollector = DiagnosticCollector()) throws -> ResolutionContext {
        var context = ResolutionContext(directory: spec.directory, stages: stages, plugins: plugins)
        context.diagnostics = earlier
        var seenKinds: [String: SourcePosition] = [:]
        for stage in spec.stages {
            // When phase (a) dropped stages, missing inputs are a consequence, not a new problem.
            for input in stage.inputs where !context.available.contains(input) && spec.isComplete {
                context.diagnostics.error(stage.position, "stage '\(stage.kind)' needs \(Self.article(input)) \(input); "
                                          + "add a '\(input.producer)' stage before it")
            }
            if ["load", "select", "split", "train", "predict"].contains(stage.kind), let first = seenKinds[stage.kind] {
                context.diagnostics.error(stage.position, "stage '\(stage.kind)' appears twice (first at \(first.line):\(first.column)); a pipeline has at most one")
            }
            seenKinds[stage.kind] = seenKinds[stage.kind] ?? stage.position
            // Resolve only when inputs exist, so one missing stage does not cascade into many messages.
            if stage.inputs.allSatisfy(context.available.contains) {
                stage.resolve(&context)
            }
            context.available.formUnion(stage.outputs)
        }
        if context.diagnostics.hasErrors { throw PipelineError.invalidPipeline(context.diagnostics.sorted) }
        return context
    }

    static func article(_ artifact: PipelineArtifact) -> String {
        switch artifact {
        case .data, .predictions, .metrics: "the"
        case .selection, .split, .model: "a"
        }
    }
}
