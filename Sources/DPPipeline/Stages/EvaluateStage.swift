import PrivateLearning
/// `evaluate: {metrics: [accuracy], epsilon: 0.2}` — releases metrics of the predictions against the label on
/// the test part, as DP releases charged to the ledger; or `mode: exact`, which computes exact metrics and
/// marks the whole run NOT PRIVATE.
public struct EvaluateStage: PipelineStage {
    public static let kind = "evaluate"
    public static let metricNames = ["accuracy", "f1", "auc", "mean_squared_error", "mean_absolute_error"]
    public enum Mode: String, Sendable { case `private`, exact }

    public var position: SourcePosition
    public var metrics: [String]
    public var mode: Mode
    /// ε of the whole evaluation (split evenly across metrics) in private mode.
    public var epsilon: Double
    /// δ of the whole evaluation (split evenly across metrics): 0 selects the discrete Laplace mechanism (pure ε),
    /// δ > 0 the discrete Gaussian mechanism at (ε, δ) per metric share.
    public var delta: Double
    /// Declared public grid of the metrics' numerators (a power of two); nil: derived from the bounds.
    public var granularity: Double? = nil
    /// Where `metrics:` is written (the stage's name when it is not).
    public var metricsPosition: SourcePosition? = nil
    /// Bins per class of the score histograms behind `auc` (public).
    public var aucBins: Int = EvaluateStage.defaultAUCBins

    public var inputs: [PipelineArtifact] { [.predictions] }
    public var outputs: [PipelineArtifact] { [.metrics] }

    public static let definition = StageDefinition(
        name: kind, summary: "Release metrics of the predictions on the test part (DP), or exact metrics (mode: exact, not private).",
        keys: [
            .init("metrics", "list", "metrics among \(metricNames.joined(separator: ", ")) (default [accuracy])"),
            .init("mode", "private | exact", "private (default): DP releases charged to the ledger; exact: not private"),
            .init("epsilon", "number in [1e-6, 100]", "ε of the evaluation, split evenly across the metrics (private mode)"),
            .init("delta", "0 or number in [1e-15, 0.1]",
                  "δ of the evaluation, split evenly across the metrics (default 0: discrete Laplace; > 0: discrete Gaussian)"),
            .init("granularity", "power of two > 0", "public grid of the metrics' sums (default: from the label's bounds)"),
            .init("auc_bins", "integer in [2, 4096]", "bins per class of the DP score histograms behind auc (default 20)"),
        ],
        decode: { value, diagnostics in
            guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
            let errorsBefore = diagnostics.diagnostics.count
            let metricsValue = r.optional("metrics")
            let metrics = r.stringList("metrics", diagnostics: &diagnostics) ?? ["accuracy"]
            for m in metrics where !metricNames.contains(m) {
                diagnostics.error(metricsValue?.position ?? value.position, "unknown metric '\(m)'." + NameSuggestion.didYouMean(m, in: metricNames)
                                  + " Known metrics: \(metricNames.joined(separator: ", ")).")
            }
            let mode = r.choice("mode", ["private", "exact"], diagnostics: &diagnostics).flatMap(Mode.init(rawValue:)) ?? .private
            let epsilonValue = r.optional("epsilon")
            let epsilon = epsilonValue.flatMap { SpecMappingReader.number($0, SpecLimits.within(SpecLimits.stageEpsilon), diagnostics: &diagnostics) }
            let deltaValue = r.optional("delta")
            let delta = r.double("delta", SpecLimits.zeroOr(SpecLimits.stageDelta), diagnostics: &diagnostics) ?? 0
            let granularity = r.double("granularity", "a power of two greater than 0", ReleaseStage.isPowerOfTwo, diagnostics: &diagnostics)
            let aucBins = r.int("auc_bins", in: 2...4096, diagnostics: &diagnostics)
            r.finish(diagnostics: &diagnostics)
            if mode == .private && epsilonValue == nil {
                diagnostics.error(value.position, "'\(value.path)' needs 'epsilon' (the ε charged for the released metrics), or 'mode: exact' (not private)")
            }
            if mode == .exact, let epsilonValue {
                diagnostics.error(epsilonValue.position, "'epsilon' has no meaning with 'mode: exact' (exact metrics are not private)")
            }
            if mode == .exact, let deltaValue {
                diagnostics.error(deltaValue.position, "'delta' has no meaning with 'mode: exact' (exact metrics are not private)")
            }
            if mode == .private, delta > 0, !metrics.isEmpty, RunContext.releaseDelta(delta, parts: metrics.count) <= 0, let deltaValue {
                diagnostics.error(deltaValue.position, "'\(deltaValue.path)' = \(delta) leaves less than the ledger's δ unit (1e-18) per metric; "
                                  + "declare 0 (discrete Laplace) or a larger δ")
            }
            if metrics.isEmpty { diagnostics.error(value.position, "'\(value.path).metrics' must list at least one metric") }
            guard diagnostics.diagnostics.count == errorsBefore else { return nil }
            return EvaluateStage(position: value.position, metrics: metrics, mode: mode, epsilon: epsilon ?? 0, delta: delta,
                                 granularity: granularity, metricsPosition: metricsValue?.position,
                                 aucBins: aucBins ?? EvaluateStage.defaultAUCBins)
        })

    /// Checks each metric against the label's declared type: accuracy compares classes (category or boolean
    /// label); the mean squared and absolute errors need a label with numeric public bounds (number, integer
    /// or boolean). Otherwise the release would fail after the budget was reserved.
    public func resolve(_ context: inout ResolutionContext) {
        guard let label = context.label, let column = context.schema?.column(named: label) else { return }
        for metric in metrics {
            if !Self.metricFits(metric, column.kind) {
                let needs = Self.classificationMetrics.union(["accuracy"]).contains(metric) ? "a category or boolean label" : "a number, integer or boolean label with declared bounds"
                context.diagnostics.error(metricsPosition ?? position,
                                          "metric '\(metric)' needs \(needs); the label '\(label)' is \(column.kind.rawValue)")
            }
        }
        resolveClassification(&context, label: label, column: column)
    }

    public func cost(_ context: PlanningContext) throws -> StageCost {
        // The split's sizes are a public function of N, test_fraction and the seed: an empty test part is known now.
        // Known only when the number of records is public (declared, or read under replace_one).
        if let test = context.testRecords, test < 1 {
            throw PipelineError.invalidPipeline([PipelineDiagnostic(position,
                "the test part is empty (\(context.records.map(String.init) ?? "the public number of") records split with "
                + "the declared test_fraction); raise test_fraction")])
        }
        return switch mode {
        case .exact: StageCost(epsilon: 0, delta: 0, detail: "exact metrics: NOT PRIVATE")
        case .private: StageCost(epsilon: epsilon, delta: delta,
                                 detail: "DP release of \(metrics.joined(separator: ", ")) on the test part\(classificationDetail)"
                                     + (context.testRecords.map { " (\($0) test records, public)" } ?? "")
                                     + (delta > 0 ? ", discrete Gaussian" : ", discrete Laplace"))
        }
    }
}
