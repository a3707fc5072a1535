import PrivacyAccounting
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
    /// Public numbers of records in the CSV, and in the training and test parts: read from the data under
    /// replace_one, the declared `public_size` (and the split fraction applied to it) under add_remove, nil when
    /// they come from a DP count at run time. Under add_remove the realised number of rows is never here.
    public var records: Int?
    public var trainingRecords: Int?
    public var testRecords: Int?
    /// The neighbouring relation every cost in the plan is accounted under.
    public var neighbouring: NeighbouringRelation
    /// Where `records` comes from.
    public var sizeSource: RecordCountSource
    /// Ledger id (declared, or the CSV's SHA-256).
    public var dataset: String
    /// Budget granted on first use, from `privacy.budget`.
    public var grantOnFirstUse: (epsilon: Double, delta: Double)?
    public var training: TrainingPlan?
    public var model: TrainingFacts?
    /// True when an `evaluate` stage uses `mode: exact` (the run is then not private).
    public var exactEvaluation: Bool
    /// What one unit of privacy is: `PrivacySpec.unitDescription`.
    public var privacyUnit: String = "row-level (one row = one unit)"

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
        let context = try planningContext(shape: shape)
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
        var plan = PipelinePlan(pipelineName: spec.name, stages: stages, records: context.records,
                                trainingRecords: context.trainingRecords, testRecords: context.testRecords,
                                neighbouring: context.relation, sizeSource: context.sizeSource, dataset: try spec.privacy.dataset ?? datasetID(csvPath),
                                grantOnFirstUse: spec.privacy.budget, training: training, model: facts.training,
                                exactEvaluation: exact)
        plan.privacyUnit = spec.privacy.unitDescription
        if let budget = spec.privacy.budget, plan.totalDelta > budget.delta * (1 + 1e-12) {
            throw PipelineError.invalidPipeline([PipelineDiagnostic(spec.privacy.position,
                "the run's total δ = \(PipelineError.format(plan.totalDelta)) exceeds privacy.budget.delta = \(PipelineError.format(budget.delta)); lower privacy.delta")])
        }
        return plan
    }
}

extension Pipeline {
    /// The public facts the stages are costed from (see `PlanningContext`).
    ///
    /// - replace_one: N is read from the data (the CSV's record count) and the split sizes are computed by the
    ///   split's own rule; both are public under this relation.
    /// - add_remove: N is the declared `privacy.public_size`, or unknown until a DP count at run time; the
    ///   training and test sizes are the split fraction applied to it (`PlanningContext.publicSplit`). The
    ///   realised number of rows is never read here.
    func planningContext(shape: CSVShape) throws -> PlanningContext {
        let privacy = spec.privacy
        // A declared test set (`idx.test_images`) is not a part of the training records: all N records train, and
        // the test size is left unknown here (the test rows are evaluated by a DP release, never counted publicly).
        let declaredTestSet = spec.stages.contains { ($0 as? LoadStage)?.idx?.testImages != nil }
        if declaredTestSet {
            let records: Int? = privacy.neighbouring == .replaceOne ? shape.records : privacy.publicSize
            let source: RecordCountSource = privacy.neighbouring == .replaceOne ? .data
                : (records == nil ? .dpCount(epsilon: privacy.sizeEpsilon) : .declared)
            return PlanningContext(records: records, trainingRecords: records, testRecords: nil,
                                   privacy: privacy, sizeSource: source)
        }
        switch privacy.neighbouring {
        case .replaceOne:
            if spec.stages.contains(where: { ($0 as? SplitStage)?.by != nil }),
               let split = spec.stages.first(where: { ($0 as? SplitStage)?.by != nil }) as? SplitStage {
                throw PipelineError.invalidPipeline([PipelineDiagnostic(split.byPosition ?? split.position,
                    "split 'by' is for neighbouring: add_remove; under replace_one the split hashes the row position "
                    + "so that the sizes of the parts are public")])
            }
            let records = shape.records
            var test = 0
            if let fraction = facts.testFraction {
                test = try PrivateDataFrame.splitSizes(rowCount: records, testFraction: fraction,
                                                       seed: UInt64(facts.splitSeed)).test
            }
            return PlanningContext(records: records, trainingRecords: records - test, testRecords: test,
                                   privacy: privacy, sizeSource: .data)
        case .addRemove:
            guard let n = privacy.publicSize else {
                return PlanningContext(records: nil, trainingRecords: nil, testRecords: nil, privacy: privacy,
                                       sizeSource: .dpCount(epsilon: privacy.sizeEpsilon))
            }
            let parts = PlanningContext.publicSplit(records: n, testFraction: facts.testFraction)
            return PlanningContext(records: n, trainingRecords: parts.train, testRecords: parts.test,
                                   privacy: privacy, sizeSource: .declared)
        }
    }
}
