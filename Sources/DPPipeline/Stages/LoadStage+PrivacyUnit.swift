import PrivateDataFrame

extension LoadStage {
    /// With `privacy.unit`: the loaded frame bounded to at most k rows per unit (a uniformly random k of larger
    /// units, drawn from the run's secure generator — seeded only in a run marked not private). Nothing about
    /// how many units or rows were affected is logged or reported. Without a unit: the frame as loaded.
    func boundingContributions(of frame: PrivateDataFrame, context: RunContext) throws -> PrivateDataFrame {
        let privacy = context.pipeline.spec.privacy
        guard let unit = privacy.unit, let k = privacy.maxRowsPerUnit else { return frame }
        var generator = context.noiseSource(offset: 0x554E_4954)
        let bounded: PrivateDataFrame
        do {
            bounded = try frame.boundingContributions(unit: unit, maxRowsPerUnit: k, using: &generator)
        } catch { throw dataError(error, stage: Self.kind, position: privacy.unitPosition ?? position) }
        context.log("privacy unit '\(unit)': at most \(k) rows per unit kept (a uniformly random \(k) of any larger unit); "
                    + "the unit id is never a feature nor an output")
        return bounded
    }
}
