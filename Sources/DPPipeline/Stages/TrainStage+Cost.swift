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

    /// Training ε from the accountant at the pipeline's training δ, for q = B/N and the steps the loader takes;
    /// with `target_epsilon`, σ is first calibrated to the smallest value whose ε does not exceed the target.
    public func cost(_ context: PlanningContext) throws -> StageCost {
        let n = context.trainingRecords
        guard batchSize <= n else {
            throw PipelineError.invalidPipeline([PipelineDiagnostic(position,
                "batch_size \(batchSize) exceeds the \(n) training records")])
        }
        let accountant = AccountantKind(rawValue: context.privacy.accountant) ?? .rdp
        let delta = context.privacy.trainingDelta
        let q = Double(batchSize) / Double(n)
        do {
            let steps = try Self.steps(examples: n, batchSize: batchSize, epochs: epochs)
            var sigma = noiseMultiplier ?? 0
            if let targetEpsilon {
                sigma = try calibrateNoiseMultiplier(targetEpsilon: targetEpsilon, delta: delta, samplingRate: q,
                                                     steps: steps, accountant: accountant)
            }
            let eps = try epsilon(samplingRate: q, noiseMultiplier: sigma, steps: steps, delta: delta, accountant: accountant)
            let plan = TrainingPlan(examples: n, batchSize: batchSize, epochs: epochs, samplingRate: q,
                                    steps: steps, noiseMultiplier: sigma, calibrated: targetEpsilon != nil,
                                    l2NormClip: l2NormClip, delta: delta, accountant: accountant.rawValue)
            let detail = "DP-SGD, \(accountant.rawValue.uppercased()) accountant, σ = \(Self.fmt(sigma))\(targetEpsilon != nil ? " (calibrated)" : ""), "
                + "C = \(Self.fmt(l2NormClip)), q = \(Self.fmt(q)), \(steps) steps"
            return StageCost(epsilon: eps, delta: delta, detail: detail, training: plan)
        } catch let error as PrivacyAccountingError {
            throw PipelineError.invalidPipeline([PipelineDiagnostic(position, "cannot account for this training run: \(error)")])
        }
    }

    static func fmt(_ x: Double) -> String { String(format: "%.4g", x) }
}
