/// `predict: {label_columns: [predicted]}` — applies the trained model to the test part; the result is a new
/// private column (like op_tensorflow's `label_columns=`), never shown.
public struct PredictStage: PipelineStage {
    public static let kind = "predict"
    public var position: SourcePosition
    public var labelColumns: [String]

    public var inputs: [PipelineArtifact] { [.model, .split] }
    public var outputs: [PipelineArtifact] { [.predictions] }

    public static let definition = StageDefinition(
        name: kind, summary: "Predict on the test part; results stay private columns.",
        keys: [.init("label_columns", "list of names", "names of the prediction columns (default [predicted])")],
        decode: { value, diagnostics in
            if value.isNull { return PredictStage(position: value.position, labelColumns: ["predicted"]) }
            guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
            let columns = r.stringList("label_columns", diagnostics: &diagnostics) ?? ["predicted"]
            r.finish(diagnostics: &diagnostics)
            if columns.isEmpty {
                diagnostics.error(value.position, "'\(value.path).label_columns' must name at least one column")
                return nil
            }
            return PredictStage(position: value.position, labelColumns: columns)
        })

    public func resolve(_ context: inout ResolutionContext) {
        context.predictionColumns = labelColumns
    }
}
