import PrivacyAccounting

extension TrainStage {
    /// Training ε from the accountant: q = B/N, steps = ceil(epochs·N/B) (TF Privacy's convention), at the
    /// pipeline's training δ; with `target_epsilon`, σ is first calibrated to the smallest value whose ε does
    /// not exceed the target.
    public func cost(_ context: PlanningContext) throws -> StageCost {
        let n = context.trainingRecords
        guard batchSize <= n else {
            throw PipelineError.invalidPipeline([PipelineDiagnostic(position,
                "batch_size \(batchSize) exceeds the \(n) training records")])
        }
        let accountant = AccountantKind(rawValue: context.privacy.accountant) ?? .rdp
        let delta = context.privacy.trainingDelta
        do {
            var sigma = noiseMultiplier ?? 0
            if let targetEpsilon {
                sigma = try calibrateNoiseMultiplier(targetEpsilon: targetEpsilon, delta: delta, examples: n,
                                                     batchSize: batchSize, epochs: Double(epochs), accountant: accountant)
            }
            let budget = try privacyBudget(examples: n, batchSize: batchSize, noiseMultiplier: sigma,
                                           epochs: Double(epochs), delta: delta, accountant: accountant)
            let plan = TrainingPlan(examples: n, batchSize: batchSize, epochs: epochs, samplingRate: budget.samplingRate,
                                    steps: budget.steps, noiseMultiplier: sigma, calibrated: targetEpsilon != nil,
                                    l2NormClip: l2NormClip, delta: delta, accountant: accountant.rawValue)
            let detail = "DP-SGD, \(accountant.rawValue.uppercased()) accountant, σ = \(Self.fmt(sigma))\(targetEpsilon != nil ? " (calibrated)" : ""), "
                + "C = \(Self.fmt(l2NormClip)), q = \(Self.fmt(budget.samplingRate)), \(budget.steps) steps"
            return StageCost(epsilon: budget.epsilon, delta: delta, detail: detail, training: plan)
        } catch let error as PrivacyAccountingError {
            throw PipelineError.invalidPipeline([PipelineDiagnostic(position, "cannot account for this training run: \(error)")])
        }
    }

    static func fmt(_ x: Double) -> String { String(format: "%.4g", x) }
}
