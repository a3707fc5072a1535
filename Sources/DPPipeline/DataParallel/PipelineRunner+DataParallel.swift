import Foundation
import PrivateDataFrame

extension PipelineRunner {
    /// A rank other than 0 of a data-parallel run: plans the same pipeline, agrees with rank 0, waits for its
    /// reservation, then runs every stage on its shard of the rows. It opens no ledger and writes nothing: no
    /// output folder, no log file, no export (rank 0 does all of that).
    /// - Throws: `DataParallelError` (rank 0 did not start, plans differ, unsupported feature) before any data
    ///   value is read; after the start, any stage's error (the caller aborts the job).
    public func runWorker(file: String, options: RunOptions) throws {
        guard let job = options.parallel, !job.isRoot else {
            throw PipelineError.internalError("runWorker is for ranks other than 0 of a data-parallel job")
        }
        var planned: (Pipeline, PipelinePlan)?
        var planningError: (any Error)?
        do {
            var pipeline = try Pipeline.load(file: file, environment: environment)
            if let epochs = options.epochsOverride { pipeline.overrideEpochs(epochs) }
            // The dataset id only names the frame here; rank 0 alone binds and charges the ledger.
            let plan = try pipeline.plan(datasetID: { _ in "(rank 0's data set)" })
            try DataParallelJob.checkSupported(pipeline, plan)
            planned = (pipeline, plan)
        } catch {
            planningError = error
        }
        if let planningError {
            FileHandle.standardError.write(Data("dpflow rank \(job.world.rank): \(planningError)\n".utf8))
        }
        try job.agreeOnPlan(planned?.1)
        try job.awaitStart()
        guard let (pipeline, plan) = planned else { throw DataParallelError.plansDiffer(ranks: 1) }
        var context = RunContext(pipeline: pipeline, plan: plan, options: options, log: RunLog(events: nil))
        let neededAfter = Self.neededAfter(pipeline.spec.stages)
        for (index, stage) in pipeline.spec.stages.enumerated() {
            context.stageIndex = index
            try stage.run(&context)
            context.dropData(notIn: neededAfter[index])
        }
    }

    /// Rank 0's output folder when the MPI job is stopped from outside (another rank failed or died and
    /// `mpirun` sends SIGTERM): `status.json` says `failed` (never a partial result that looks like success),
    /// the report is removed, the reservation stays charged.
    public static func markFailedByJobAbort(outputDirectory: String, pipeline: String, signal: String, exitCode: Int32) {
        markStopped(outputDirectory: outputDirectory, pipeline: pipeline, state: .failed, exitCode: exitCode,
                    message: "the MPI job was stopped (\(signal) from the launcher: another rank failed or died); "
                        + "any budget reserved for this run stays charged (never refunded)")
    }
}
