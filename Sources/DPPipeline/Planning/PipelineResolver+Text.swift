extension PipelineResolver {
    /// Text features, checked before any data is read: each needs a `vocabulary` stage before `train` (the model sees
    /// its token ids), a text column is the only feature (its `[max_length]` ids are the model's whole input: an
    /// embedding would treat other inputs as token ids), and it is never the label.
    static func checkText(_ spec: PipelineSpec, context: ResolutionContext, diagnostics: inout DiagnosticCollector) {
        guard let schema = context.schema else { return }
        let texts = (context.features ?? []).filter { schema.column(named: $0)?.kind == .text }
        if let label = context.label, schema.column(named: label)?.kind == .text,
           let select = spec.stages.first(where: { $0 is SelectStage }) as? SelectStage {
            diagnostics.error(select.labelPosition, "the label '\(label)' is a text column; a label must be a number, integer, category or boolean")
        }
        guard !texts.isEmpty else { return }
        let select = spec.stages.first { $0 is SelectStage } as? SelectStage
        if (context.features ?? []).count > 1 {
            diagnostics.error(select?.featuresPosition ?? spec.position, "the text column '\(texts[0])' must be the only feature "
                              + "(the model's input is its token ids); list it alone in 'features' or 'exclude' the others")
        }
        guard let trainIndex = spec.stages.firstIndex(where: { $0 is TrainStage }) else { return }
        let covered = Set(spec.stages[..<trainIndex].compactMap { ($0 as? VocabularyStage)?.textColumn(context) })
        for name in texts where !covered.contains(name) {
            diagnostics.error(spec.stages[trainIndex].position, "the text feature '\(name)' needs a 'vocabulary' stage before 'train' "
                              + "(file: PATH, hash: N, or dp: {size, epsilon, max_tokens_per_document})")
        }
    }
}
