/// Everything a stage sees while the pipeline runs, filled in stage by stage.
public struct RunContext {
    public var pipeline: Pipeline
    public var plan: PipelinePlan
    public var options: RunOptions
    public var log: RunLog
    /// Folder relative paths resolve against.
    public var directory: String { pipeline.spec.directory }

    /// Released (or exact) metrics and releases by name.
    public var metrics: [String: RunReport.Metric] = [:]
    /// Training summary for the report.
    public var training: RunReport.Training?
    /// Files written to the output folder (relative names).
    public var outputs: [String] = []
    /// Why the run is not private (seeded, exact evaluation, …); empty for a private run.
    public var notPrivateReasons: [String] = []
    /// Index of the running stage in `pipeline.spec.stages` (and `plan.stages`).
    public var stageIndex = 0

    public init(pipeline: Pipeline, plan: PipelinePlan, options: RunOptions, log: RunLog) {
        self.pipeline = pipeline
        self.plan = plan
        self.options = options
        self.log = log
    }

    /// The planned cost of the stage at `index`.
    public func plannedCost(of index: Int) -> StageCost { plan.stages[index].cost }
}
