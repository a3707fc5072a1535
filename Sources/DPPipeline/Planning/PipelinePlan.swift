import PrivateDataFrame
/// What a pipeline will do and cost, computed from public facts before any data value is read or any budget
/// reserved: the input of `dpflow plan` and the reservation `dpflow run` makes.
public struct PipelinePlan: Sendable {
    public struct Stage: Sendable {
        public var kind: String
        public var position: SourcePosition
        public var cost: StageCost
    }

    public var pipelineName: String
    public var stages: [Stage]
    /// Records in the CSV, and in the training and test parts.
    public var records: Int
    public var trainingRecords: Int
    public var testRecords: Int
    /// Ledger id (declared, or the CSV's SHA-256).
    public var dataset: String
    /// Budget granted on first use, from `privacy.budget`.
    public var grantOnFirstUse: (epsilon: Double, delta: Double)?
    public var training: TrainingPlan?
    public var model: TrainingFacts?
    /// True when an `evaluate` stage uses `mode: exact` (the run is then not private).
    public var exactEvaluation: Bool

    /// Total ε and δ of the run: the sum over stages (basic composition — the ledger's documented rule).
    public var totalEpsilon: Double { stages.reduce(0) { $0 + $1.cost.epsilon } }
    public var totalDelta: Double { stages.reduce(0) { $0 + $1.cost.delta } }
}

extension Pipeline {
    /// Computes every stage's privacy cost and the total. Reads the CSV's header and record count only.
    /// - Parameter datasetID: the ledger id when the pipeline does not declare one (the CSV's SHA-256).
    public func plan(datasetID: (String) throws -> String) throws -> PipelinePlan {
        guard let shape = facts.csvShape, let csvPath = facts.csvPath else {
            throw PipelineError.invalidPipeline([PipelineDiagnostic(spec.position, "the pipeline has no 'load' stage")])
        }
        let records = shape.records
        var test = 0
        if let fraction = facts.testFraction {
            // A public function of N and the split's seed (PrivateDataFrame.split's own row rule).
            test = try PrivateDataFrame.splitSizes(rowCount: records, testFraction: fraction, seed: UInt64(facts.splitSeed)).test
        }
        let context = PlanningContext(records: records, trainingRecords: records - test, testRecords: test,
                                      privacy: spec.privacy)
        var stages: [PipelinePlan.Stage] = []
        var diagnostics = DiagnosticCollector()
        var training: TrainingPlan?
        for stage in spec.stages {
            do {
                let cost = try stage.cost(context)
                if let t = cost.training { training = t }
                stages.append(.init(kind: stage.kind, position: stage.position, cost: cost))
            } catch let error as PipelineError {
                if case .invalidPipeline(let d) = error { diagnostics.append(contentsOf: d) } else { throw error }
            }
        }
        if diagnostics.hasErrors { throw PipelineError.invalidPipeline(diagnostics.sorted) }
        let exact = spec.stages.contains { ($0 as? EvaluateStage)?.mode == .exact }
        let plan = PipelinePlan(pipelineName: spec.name, stages: stages, records: records, trainingRecords: records - test,
                                testRecords: test, dataset: try spec.privacy.dataset ?? datasetID(csvPath),
                                grantOnFirstUse: spec.privacy.budget, training: training, model: facts.training,
                                exactEvaluation: exact)
        if let budget = spec.privacy.budget, plan.totalDelta > budget.delta * (1 + 1e-12) {
            throw PipelineError.invalidPipeline([PipelineDiagnostic(spec.privacy.position,
                "the run's total δ = \(PipelineError.format(plan.totalDelta)) exceeds privacy.budget.delta = \(PipelineError.format(budget.delta)); lower privacy.delta")])
        }
        return plan
    }
}
