/// `predict: {label_columns: [predicted]}` — applies the trained model to the test part; the result is a new
/// private column (like op_tensorflow's `label_columns=`), never shown.
public struct PredictStage: PipelineStage {
    public static let kind = "predict"
    public var position: SourcePosition
    public var labelColumns: [String]
    /// A one-output two-class model predicts class 1 when its output is at least this (public, default 0.5): a
    /// class-aware threshold for imbalanced labels, e.g. chosen from an earlier DP release of the class frequencies.
    public var threshold = 0.5

    public var inputs: [PipelineArtifact] { [.model, .split] }
    public var outputs: [PipelineArtifact] { [.predictions] }

    public static let definition = StageDefinition(
        name: kind, summary: "Predict on the test part; results stay private columns.",
        keys: [.init("label_columns", "list of names", "names of the prediction columns (default [predicted])"),
               .init("threshold", "number in (0, 1)", "one sigmoid output, two classes: class 1 when the output ≥ threshold (default 0.5)")],
        decode: { value, diagnostics in
            if value.isNull { return PredictStage(position: value.position, labelColumns: ["predicted"]) }
            guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
            let columns = r.stringList("label_columns", diagnostics: &diagnostics) ?? ["predicted"]
            let threshold = r.double("threshold", "in (0, 1)", { $0 > 0 && $0 < 1 }, diagnostics: &diagnostics)
            r.finish(diagnostics: &diagnostics)
            if columns.isEmpty {
                diagnostics.error(value.position, "'\(value.path).label_columns' must name at least one column")
                return nil
            }
            var stage = PredictStage(position: value.position, labelColumns: columns)
            stage.threshold = threshold ?? 0.5
            return stage
        })

    public func resolve(_ context: inout ResolutionContext) {
        context.predictionColumns = labelColumns
    }
}
