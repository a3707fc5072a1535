import BudgetLedgers
import Foundation

extension PipelineRunner {
    /// The ledger as `dpflow plan` sees it, by the rules `run` applies: the data set's snapshot, or the problem
    /// that makes `run` refuse (no ledger at a path that may not be created, a damaged ledger, the data file
    /// bound to another data set). Creates nothing.
    public func ledgerState(location path: String, mayCreate: Bool, dataset: String, dataFile: String?)
        -> (snapshot: LedgerSnapshot?, problem: String?) {
        guard LedgerLocation.mayBePresent(path) else {
            if mayCreate { return (nil, nil) }
            return (nil, "no ledger file; create it with `dpflow ledger init --ledger \(path)` (never created implicitly here)")
        }
        do {
            let ledger = try openLedger(path)
            if let dataFile, let problem = try ledger.bindingProblem(dataset: dataset, dataFile: dataFile) { return (nil, problem) }
            return (try ledger.snapshot(dataset: dataset), nil)
        } catch {
            return (nil, "the ledger cannot be used: \(error)")
        }
    }

    /// Marks a run's folder `interrupted` after SIGINT/SIGTERM (only if it still says `running`): status.json with
    /// the exit code, and a last line in log.txt. The reservation, if any, stays charged.
    public static func markInterrupted(outputDirectory: String, pipeline: String, signal: String, exitCode: Int32) {
        markStopped(outputDirectory: outputDirectory, pipeline: pipeline, state: .interrupted, exitCode: exitCode,
                    message: "interrupted by \(signal) (exit \(exitCode)); any budget reserved for this run stays charged (never refunded)")
    }

    /// A run's folder stopped from outside (only if it still says `running`): `message` as the last line of
    /// log.txt, the report removed (never a partial result that looks like success), status.json in `state`
    /// with the exit code. The reservation, if any, stays charged.
    static func markStopped(outputDirectory: String, pipeline: String, state: JobStatus.State, exitCode: Int32, message: String) {
        guard let status = JobStatus.read(folder: outputDirectory), status.state == .running else { return }
        let logPath = outputDirectory + "/log.txt"
        if let handle = FileHandle(forWritingAtPath: logPath) {
            _ = try? handle.seekToEnd()
            try? handle.write(contentsOf: Data((message + "\n").utf8))
            try? handle.close()
        }
        for name in ["report.json", "report.html"] { try? FileManager.default.removeItem(atPath: outputDirectory + "/" + name) }
        try? JobStatus(state: state, pipeline: pipeline, exitCode: exitCode, message: message,
                       startedAt: status.startedAt, finishedAt: Timestamp.coarseNow(), outputs: status.outputs).write(folder: outputDirectory)
    }
}
