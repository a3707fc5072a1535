extension PipelineResolver {
    /// The ordering constraints of every stage's definition (`StageDefinition.Ordering.after`/`before`): a stage
    /// that must come after (before) another kind of stage is reported at its own position when one of those
    /// stands after (before) it. Constraints naming stages absent from the pipeline are satisfied.
    static func checkOrdering(_ spec: PipelineSpec, stages: StageRegistry, diagnostics: inout DiagnosticCollector) {
        let kinds = spec.stages.map(\.kind)
        for (index, stage) in spec.stages.enumerated() {
            guard let ordering = stages.definition(named: stage.kind)?.ordering else { continue }
            for other in ordering.after {
                if let later = kinds[(index + 1)...].firstIndex(of: other) {
                    let p = spec.stages[later].position
                    diagnostics.error(stage.position, "stage '\(stage.kind)' must come after every '\(other)' stage, "
                                      + "but one stands after it (at \(p.line):\(p.column)); move '\(stage.kind)' down")
                }
            }
            for other in ordering.before {
                if let earlier = kinds[..<index].firstIndex(of: other) {
                    let p = spec.stages[earlier].position
                    diagnostics.error(stage.position, "stage '\(stage.kind)' must come before every '\(other)' stage, "
                                      + "but one stands before it (at \(p.line):\(p.column)); move '\(stage.kind)' up")
                }
            }
        }
    }
}
