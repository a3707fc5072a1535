/// One step of a pipeline (`load`, `select`, `split`, `train`, …), decoded from its YAML entry.
///
/// A stage declares what it needs and produces and what it costs in privacy, so that the runner checks the
/// whole pipeline — data flow, plugin names, model shape and total (ε, δ) — before it reads a data value or
/// reserves any budget. Third-party stages conform to this protocol and are added to a `StageRegistry`.
public protocol PipelineStage: Sendable {
    /// The name used in pipeline files.
    static var kind: String { get }
    /// Where the stage's entry starts in the pipeline file.
    var position: SourcePosition { get }
    /// Artifacts earlier stages must have produced.
    var inputs: [PipelineArtifact] { get }
    /// Artifacts this stage produces.
    var outputs: [PipelineArtifact] { get }
    /// Phase (b) of validation: resolve names against registries and check facts left by earlier stages
    /// (columns, model shape). Never reads data. Records problems in `context.diagnostics`.
    func resolve(_ context: inout ResolutionContext)
    /// The privacy this stage will spend, from public facts only (schema, record count, parameters).
    /// - Throws: `PipelineError` when the cost cannot be computed (e.g. a calibration that cannot reach its target).
    func cost(_ context: PlanningContext) throws -> StageCost
    /// Runs the stage. Budget has been reserved before the first stage runs.
    func run(_ context: inout RunContext) throws
}

extension PipelineStage {
    public var kind: String { Self.kind }
    public var inputs: [PipelineArtifact] { [] }
    public var outputs: [PipelineArtifact] { [] }
    public func cost(_ context: PlanningContext) throws -> StageCost { .free }
}
