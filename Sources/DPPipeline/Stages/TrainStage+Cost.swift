import PrivacyAccounting

extension TrainStage {
    /// Steps the Poisson loader takes: `epochs · ceil(N/B)` (each epoch is ceil(N/B) Poisson steps). This is what
    /// is accounted — never fewer steps than are run. (TF Privacy's `ceil(epochs·N/B)` can be smaller, e.g.
    /// 427 < 450 for N = 455, B = 32, 30 epochs, and would understate ε for this loader.)
    /// - Throws: `PrivacyAccountingError.stepCountOverflow` when the count does not fit in an Int
    ///   (checked arithmetic: `epochs` comes straight from the pipeline file).
    public static func steps(examples n: Int, batchSize: Int, epochs: Int) throws -> Int {
        guard n >= 0, batchSize >= 1 else { throw PrivacyAccountingError.invalidBatchSize(batchSize: batchSize, examples: n) }
        let perEpoch = n / batchSize + (n % batchSize == 0 ? 0 : 1)
        let (steps, overflow) = epochs.multipliedReportingOverflow(by: perEpoch)
        guard !overflow else {
            throw PrivacyAccountingError.stepCountOverflow("\(epochs) epochs × the steps per epoch")
        }
        return steps
    }

    /// Training ε from the accountant at the pipeline's training δ, for q = B/N and the steps the loader takes,
    /// N being the public number of training records (see `PlanningContext`); with `target_epsilon`, σ is first
    /// calibrated to the smallest value whose ε does not exceed the target. When N comes from a DP count at run
    /// time the cost is the target ε itself (σ is calibrated after the count), so a given `noise_multiplier`
    /// needs `privacy.public_size` (or `neighbouring: replace_one`).
    public func cost(_ context: PlanningContext) throws -> StageCost {
        if let tune { return try searchCost(context, tune) }
        if notPrivate { return StageCost(epsilon: 0, delta: 0, detail: "mode: not_private — plain training without clipping or noise: NOT PRIVATE") }
        let accountant = AccountantKind(rawValue: context.privacy.accountant) ?? .rdp
        let delta = context.privacy.trainingDelta
        if context.relation == .replaceOne, accountant == .pld {
            throw PipelineError.invalidPipeline([PipelineDiagnostic(context.privacy.position,
                "accountant: pld cannot account for fixed-size batches sampled without replacement under "
                + "neighbouring: replace_one; use accountant: rdp")])
        }
        guard let n = context.trainingRecords else {
            guard let targetEpsilon else {
                throw PipelineError.invalidPipeline([PipelineDiagnostic(position,
                    "noise_multiplier needs a public number of records under neighbouring: add_remove: declare "
                    + "privacy.public_size (the data owner's public size), or give target_epsilon so that σ is "
                    + "calibrated after a DP count of the rows (the count's ε is charged as its own line)")])
            }
            let plan = TrainingPlan(examples: 0, batchSize: batchSize, epochs: epochs, samplingRate: 0, steps: 0,
                                    noiseMultiplier: 0, calibrated: true, l2NormClip: l2NormClip, delta: delta,
                                    accountant: accountant.rawValue, neighbouring: context.relation, deferred: true,
                                    targetEpsilon: targetEpsilon)
            let detail = "DP-SGD, \(accountant.rawValue.uppercased()) accountant, σ calibrated at run time to ε = "
                + "\(Self.fmt(targetEpsilon)) from the DP count of the rows, C = \(Self.fmt(l2NormClip)), B = \(batchSize), "
                + "\(epochs) epochs"
            return StageCost(epsilon: targetEpsilon, delta: delta, detail: detail, training: plan)
        }
        let plan = try trainingPlan(examples: n, delta: delta, accountant: accountant, relation: context.relation,
                                    sizeNote: context.sizeSource == .declared ? " of privacy.public_size" : "")
        let sampling = context.relation == .addRemove ? "Poisson" : "fixed-size batches without replacement"
        let detail = "DP-SGD, \(accountant.rawValue.uppercased()) accountant, σ = \(Self.fmt(plan.noiseMultiplier))"
            + "\(targetEpsilon != nil ? " (calibrated)" : ""), C = \(Self.fmt(l2NormClip)), q = \(Self.fmt(plan.samplingRate)) "
            + "(\(sampling)), \(plan.steps) steps"
        let eps = try accounted { try DPSGDRun(examples: n, batchSize: batchSize, epochs: epochs, relation: context.relation)
            .epsilon(noiseMultiplier: plan.noiseMultiplier, delta: delta, accountant: accountant) }
        return StageCost(epsilon: eps, delta: delta, detail: detail, training: plan)
    }

    /// The run's shape for `n` public training records: q, steps (overflow-checked) and σ (given, or calibrated
    /// to `target_epsilon` with the pipeline's accountant).
    func trainingPlan(examples n: Int, delta: Double, accountant: AccountantKind, relation: NeighbouringRelation,
                      sizeNote: String = "") throws -> TrainingPlan {
        guard batchSize <= n else {
            throw PipelineError.invalidPipeline([PipelineDiagnostic(position,
                "batch_size \(batchSize) exceeds the \(n) public training records\(sizeNote)")])
        }
        let run = try accounted { try DPSGDRun(examples: n, batchSize: batchSize, epochs: epochs, relation: relation) }
        let sigma = try accounted {
            if let targetEpsilon {
                return try run.calibrateNoiseMultiplier(targetEpsilon: targetEpsilon, delta: delta, accountant: accountant)
            }
            return noiseMultiplier ?? 0
        }
        return TrainingPlan(examples: n, batchSize: batchSize, epochs: epochs, samplingRate: run.samplingRate,
                            steps: run.steps, noiseMultiplier: sigma, calibrated: targetEpsilon != nil,
                            l2NormClip: l2NormClip, delta: delta, accountant: accountant.rawValue,
                            neighbouring: relation, deferred: false, targetEpsilon: targetEpsilon)
    }

    /// The plan training runs with: the planned one, or for a deferred plan (N from a DP count) the plan for the
    /// released count's training part, σ calibrated to the reserved target ε.
    func resolvedPlan(trainingRecords: Int?, planned: TrainingPlan) throws -> TrainingPlan {
        guard planned.deferred else { return planned }
        guard let released = trainingRecords else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "the DP count of the rows is missing")
        }
        // Post-processing of the DP count: at least one batch, so q ≤ 1.
        let n = max(released, batchSize)
        let plan = try trainingPlan(examples: n, delta: planned.delta,
                                    accountant: AccountantKind(rawValue: planned.accountant) ?? .rdp,
                                    relation: planned.neighbouring)
        // Fail closed: the run must not cost more than was reserved.
        let spent = try accounted { try DPSGDRun(examples: n, batchSize: batchSize, epochs: epochs, relation: plan.neighbouring)
            .epsilon(noiseMultiplier: plan.noiseMultiplier, delta: plan.delta,
                     accountant: AccountantKind(rawValue: plan.accountant) ?? .rdp) }
        guard let target = planned.targetEpsilon, spent <= target else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "the calibrated run exceeds the reserved ε")
        }
        return plan
    }

    /// Maps accounting errors to a diagnostic at the train stage.
    func accounted<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as PrivacyAccountingError {
            throw PipelineError.invalidPipeline([PipelineDiagnostic(position, "cannot account for this training run: \(error)")])
        }
    }

    static func fmt(_ x: Double) -> String { String(format: "%.4g", x) }
}
