import DPPipeline

/// `audit:` — a membership-inference audit of the trained model, written as a plugin stage (it uses only
/// DPPipeline's public stage API: typed artifact keys, `StageDefinition`, ordering and cost).
///
/// It scores every row of the training part (members) and of the test part (non-members) by the model's
/// confidence in the row's label, and turns the threshold attack's error rates into an empirical lower bound on ε
/// (Clopper–Pearson, Bonferroni over thresholds: `EmpiricalEpsilon`) and the one-run bound of Steinke, Nasr &
/// Jagielski (`OneRunEpsilon`), to compare with the accountant's ε.
///
/// **DP**: the audit reads the private training and test rows, so its numbers are *not* DP releases. It costs no
/// budget because, by default (`report: operator`), they go to the operator only (stderr), never into the output
/// folder; the author's log says only that an audit ran. `report: not_private` puts them into report.json/html
/// next to the accountant's ε and marks the whole run NOT PRIVATE.
public struct AuditStage: PipelineStage {
    public static let kind = "audit"

    /// Where the audit's results go.
    public enum Destination: String, Sendable, CaseIterable {
        /// stderr only (default): the run stays private.
        case `operator`
        /// report.json/html too; the run is marked NOT PRIVATE.
        case notPrivate = "not_private"
    }

    public var position: SourcePosition
    public var destination: Destination
    /// Probability with which the lower bounds hold.
    public var confidence: Double

    public var inputs: [PipelineArtifact] { [Artifacts.model.erased, Artifacts.split.erased] }
    public var outputs: [PipelineArtifact] { [AuditStage.result.erased] }

    /// The audit's outcome, for stages after it.
    public static let result = ArtifactKey<AuditOutcome>("audit.result", producedBy: kind, article: "an")

    public static let definition = StageDefinition(
        name: kind,
        summary: "Membership-inference audit of the trained model: empirical ε lower bound next to the accountant's ε "
            + "(not DP: to the operator only unless report: not_private).",
        keys: [
            .init("report", "operator | not_private", "where results go (default operator: stderr only)"),
            .init("confidence", "number in [0.5, 0.999]", "probability with which the lower bounds hold (default 0.95)"),
        ],
        ordering: .init(after: ["train"], atMostOnce: true),
        decode: { value, diagnostics in
            if value.isNull { return AuditStage(position: value.position, destination: .operator, confidence: 0.95) }
            guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
            let errorsBefore = diagnostics.diagnostics.count
            let report = r.choice("report", Destination.allCases.map(\.rawValue), diagnostics: &diagnostics)
            let confidence = r.double("confidence", "a number in [0.5, 0.999]", { (0.5...0.999).contains($0) },
                                      diagnostics: &diagnostics)
            r.finish(diagnostics: &diagnostics)
            guard diagnostics.diagnostics.count == errorsBefore else { return nil }
            return AuditStage(position: value.position, destination: report.flatMap(Destination.init(rawValue:)) ?? .operator,
                              confidence: confidence ?? 0.95)
        })

    public init(position: SourcePosition, destination: Destination, confidence: Double) {
        self.position = position
        self.destination = destination
        self.confidence = confidence
    }

    public func resolve(_ context: inout ResolutionContext) {}

    /// Free: the audit releases nothing to the pipeline author unless the run is marked not private.
    public func cost(_ context: PlanningContext) throws -> StageCost {
        StageCost(epsilon: 0, delta: 0, detail: destination == .operator
                  ? "no privacy cost: results go to the operator (stderr) only"
                  : "no DP release: results computed from private rows, the run is marked NOT PRIVATE")
    }
}

/// The audit's numbers (computed from private rows: not DP).
public struct AuditOutcome: Sendable, Equatable {
    /// Empirical ε lower bound of the best threshold (Clopper–Pearson, Bonferroni).
    public var thresholdEpsilon: Double
    /// One-run lower bound (Steinke, Nasr & Jagielski 2023).
    public var oneRunEpsilon: Double
    /// The attack's area under the ROC curve.
    public var auc: Double
    /// ε and δ of the training stage from the accountant.
    public var accountantEpsilon: Double
    public var accountantDelta: Double
    public var confidence: Double
}
