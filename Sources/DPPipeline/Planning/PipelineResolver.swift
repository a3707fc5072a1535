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
        context.recordCountIsPublic = spec.privacy.neighbouring == .replaceOne
        context.privacyUnit = spec.privacy.unit
        var seenKinds: [String: SourcePosition] = [:]
        for stage in spec.stages {
            // When phase (a) dropped stages, missing inputs are a consequence, not a new problem.
            for input in stage.inputs where !context.available.contains(input) && spec.isComplete {
                context.diagnostics.error(stage.position, "stage '\(stage.kind)' needs \(input.article) \(input); "
                                          + "add a '\(input.producer)' stage before it")
            }
            if stages.definition(named: stage.kind)?.ordering.atMostOnce == true, let first = seenKinds[stage.kind] {
                context.diagnostics.error(stage.position, "stage '\(stage.kind)' appears twice (first at \(first.line):\(first.column)); a pipeline has at most one")
            }
            seenKinds[stage.kind] = seenKinds[stage.kind] ?? stage.position
            // Resolve only when inputs exist, so one missing stage does not cascade into many messages.
            if stage.inputs.allSatisfy(context.available.contains) {
                stage.resolve(&context)
            }
            context.available.formUnion(stage.outputs)
        }
        Self.checkOrdering(spec, stages: stages, diagnostics: &context.diagnostics)
        Self.checkNeighbouring(spec, diagnostics: &context.diagnostics)
        Self.checkPrivacyUnit(spec, context: context, diagnostics: &context.diagnostics)
        Self.checkText(spec, context: context, diagnostics: &context.diagnostics)
        if context.diagnostics.hasErrors { throw PipelineError.invalidPipeline(context.diagnostics.sorted) }
        return context
    }

    /// What the neighbouring relation requires of the other keys, checked before any data is read.
    static func checkNeighbouring(_ spec: PipelineSpec, diagnostics: inout DiagnosticCollector) {
        let privacy = spec.privacy
        for stage in spec.stages {
            if let train = stage as? TrainStage {
                if privacy.neighbouring == .addRemove, privacy.publicSize == nil, train.targetEpsilon == nil, !train.notPrivate {
                    diagnostics.error(train.position, "noise_multiplier needs a public number of records under neighbouring: "
                        + "add_remove: declare privacy.public_size (the data owner's public size), or give target_epsilon so "
                        + "that σ is calibrated after a DP count of the rows (privacy.size_epsilon)")
                }
                if privacy.neighbouring == .replaceOne, privacy.accountant == "pld" {
                    diagnostics.error(privacy.position, "accountant: pld cannot account for fixed-size batches sampled without "
                        + "replacement under neighbouring: replace_one; use accountant: rdp")
                }
            }
            if let split = stage as? SplitStage, split.by != nil, privacy.neighbouring == .replaceOne {
                diagnostics.error(split.byPosition ?? split.position, "split 'by' is for neighbouring: add_remove; under "
                    + "replace_one the split hashes the row position so that the sizes of the parts are public")
            }
        }
    }
}
