import PrivacyAccounting
import PrivateDataFrame

extension LoadStage {
    /// The load stage's cost: nothing, except under add_remove without `privacy.public_size`, where it releases a
    /// DP count of the rows (Laplace, sensitivity 1) at `privacy.size_epsilon`: the public size q and the steps
    /// are computed from. It is charged to the ledger as this stage's own line of the plan.
    public func cost(_ context: PlanningContext) throws -> StageCost {
        guard case .dpCount(let eps) = context.sizeSource else { return .free }
        return StageCost(epsilon: eps, delta: 0,
                         detail: "DP count of the \(context.privacy.unit != nil ? "distinct units" : "rows") (discrete Laplace, sensitivity 1, ε = \(PrivacyFormat.string(eps))): the public size for "
                            + "training's sampling rate and steps; the realised number of rows stays private")
    }

    /// Establishes the public number of records of the run (see `RecordCountSource`) once the CSV is loaded:
    /// checks it under replace_one, takes the declared one, or releases the DP count.
    func establishPublicSize(of frame: PrivateDataFrame, context: inout RunContext) throws {
        let fraction = context.pipeline.facts.testFraction
        switch context.plan.sizeSource {
        case .data:
            guard frame.rowCountForAccounting == context.plan.records else {
                throw PipelineError.invalidData(stage: Self.kind, position: position, reason:
                    "the loaded record count differs from the planned one (rows dropped by a 'missing: drop_row' policy?); "
                    + "DP-SGD accounting needs the public record count, so use 'missing: {default: …}' instead")
            }
            context.publicTrainingRecords = context.plan.trainingRecords
            context.recordCountDescription = context.plan.sizeSource.describe(context.plan.records, userLevel: frame.privacyUnit != nil)
        case .declared:
            context.publicTrainingRecords = context.plan.trainingRecords
            context.recordCountDescription = context.plan.sizeSource.describe(context.plan.records, userLevel: frame.privacyUnit != nil)
        case .dpCount(let eps):
            // With a privacy unit: the number of distinct units (sensitivity 1 unit), the N of unit sampling.
            let release = frame.privacyUnit != nil
                ? try frame.releaseUnitCount(epsilon: eps, charging: try context.plannedReleaseBudget(),
                                             noise: context.releaseNoise(offset: 0x5152_4F57))
                : try frame.releaseCount(epsilon: eps, charging: try context.plannedReleaseBudget(),
                                         noise: context.releaseNoise(offset: 0x5152_4F57))
            // Post-processing of the DP release: a whole number of at least one record.
            let released = max(1, Int(max(0, min(release.values[0], 1e15)).rounded()))
            context.publicTrainingRecords = PlanningContext.publicSplit(records: released, testFraction: fraction).train
            context.recordCountDescription = context.plan.sizeSource.describe(released, userLevel: frame.privacyUnit != nil)
            context.log("DP count of the \(frame.privacyUnit != nil ? "units" : "rows"): \(released) (\(release.mechanism), ε = \(PrivacyFormat.string(eps))); "
                        + "training's sampling rate and steps follow from it")
        }
    }
}

extension SplitStage {
    /// The two parts: under add_remove by a seeded hash of each row's content (or of the `by` column), whose
    /// sizes stay private; under replace_one by a seeded hash of the position, whose sizes are public and
    /// checked against the plan.
    func splitParts(of frame: PrivateDataFrame, context: RunContext) throws -> (PrivateDataFrame, PrivateDataFrame) {
        switch context.plan.neighbouring {
        case .replaceOne:
            let (train, test) = try frame.split(testFraction: testFraction, seed: UInt64(seed), key: .position)
            guard train.rowCountForAccounting == context.plan.trainingRecords else {
                throw PipelineError.stageFailed(stage: Self.kind, position: position, reason:
                    "the split's training size differs from the planned one; refusing to train with a mis-accounted sampling rate")
            }
            context.log("split rows by a seeded hash of their position (test fraction \(testFraction), seed \(seed); "
                        + "replace_one: sizes public)")
            return (train, test)
        case .addRemove:
            // With a privacy unit the unit id is hashed: all rows of a unit stay on one side.
            let key: SplitKey = (by ?? context.pipeline.spec.privacy.unit).map { .column($0) } ?? .rowContent
            let parts = try frame.split(testFraction: testFraction, seed: UInt64(seed), key: key,
                                        keySource: context.loadedFrame ?? frame)
            context.log("split rows by a seeded hash of \((by ?? context.pipeline.spec.privacy.unit).map { "column '\($0)'" } ?? "each row's content") "
                        + "(test fraction \(testFraction), seed \(seed); the sizes of the parts are private)")
            return parts
        }
    }
}
