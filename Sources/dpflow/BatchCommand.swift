import ArgumentParser
import DPPipeline
import Foundation
import PrivateDataFrame

/// `dpflow batch FILES|DIR --output DIR [--jobs K] [--ledger PATH] [--force] [--retry-failed]`.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run many pipelines as jobs sharing one ledger; a summary table and summary.json at the end.",
        discussion: """
            Each job runs in its own process and folder. On a rerun into the same output folder, completed jobs are \
            skipped unless --force, and jobs that did not complete are not rerun unless --retry-failed (which first \
            prints what the retries will cost: a rerun charges its budget again, an earlier reservation is never \
            refunded). Exit code 0 when every job completed or was skipped, 1 otherwise, 2 bad arguments.
            """)

    @Argument(help: "Pipeline files or folders of *.yaml files.")
    var inputs: [String]

    @Option(help: "Output folder; each job gets a subfolder.")
    var output: String

    @Option(help: "Jobs run at once.")
    var jobs: Int = 1

    @OptionGroup var ledger: LedgerOptions

    @OptionGroup var plugins: PluginOptions

    @Flag(help: "Rerun jobs that completed before.")
    var force = false

    @Flag(help: "Rerun jobs that failed, were refused, invalid or interrupted before (charges their budget again).")
    var retryFailed = false

    @Option(help: "Override every train stage's epochs.")
    var epochs: Int?

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be a positive whole number") }
    }

    func run() throws {
        let files = try CLIEnvironment.exiting { try BatchRunner.pipelineFiles(inputs) }
        guard !files.isEmpty else {
            printError("error: no pipeline files found in \(inputs.joined(separator: ", "))")
            throw ExitCode(1)
        }
        let location = ledger.location
        if location.mayCreateOnFirstUse {
            // First use of the default ledger: create it once here, not in racing child processes.
            do { try SQLiteBudgetLedger.create(path: location.path) } catch {
                printError("\(error)")
                throw ExitCode(3)
            }
            printError("batch: created the default ledger \(location.path) (first use)")
        }
        var extra = ["--quiet"]
        if let epochs { extra += ["--epochs", String(epochs)] }
        for path in plugins.absolutePaths { extra += ["--plugin", path] }
        let runner = BatchRunner(outputDirectory: output, concurrency: jobs, ledger: location.path, force: force,
                                 retryFailed: retryFailed,
                                 launcher: ProcessJobLauncher(executable: CLIEnvironment.executablePath, extraArguments: extra))
        let batchJobs = runner.jobs(for: files)
        if retryFailed { announceRetries(runner.failedEarlier(batchJobs), ledgerPath: location.path) }
        printError("batch: \(batchJobs.count) job(s), up to \(max(1, jobs)) at once, ledger \(location.path)")
        let results = try runner.run(batchJobs) { result in
            printError("  \(result.job): \(result.status.rawValue)\(result.exitCode.map { " (exit \($0))" } ?? "")")
        }
        print(BatchSummary.table(results))
        print("summary: \(output)/summary.json")
        if results.contains(where: { $0.status != .completed && $0.status != .skipped }) { throw ExitCode(1) }
    }

    /// Prints, before anything runs, the jobs `--retry-failed` reruns and the (ε, δ) each will reserve.
    func announceRetries(_ retries: [BatchJob], ledgerPath: String) {
        guard !retries.isEmpty else {
            printError("batch: --retry-failed: no job failed earlier")
            return
        }
        printError("batch: --retry-failed reruns \(retries.count) job(s) that did not complete; each reserves its budget again "
                   + "(earlier reservations stay charged):")
        guard let pipelineRunner = try? CLIEnvironment.runner(pluginPaths: plugins.paths) else { return }
        var totals: [String: (Double, Double)] = [:]
        for job in retries {
            if let (_, plan) = try? pipelineRunner.plan(file: job.file, epochsOverride: epochs, ledgerPath: ledgerPath) {
                printError("  \(job.name): ε = \(PrivacyFormat.string(plan.totalEpsilon)), δ = \(PrivacyFormat.string(plan.totalDelta)) "
                           + "on '\(plan.dataset)'")
                let t = totals[plan.dataset] ?? (0, 0)
                totals[plan.dataset] = (t.0 + plan.totalEpsilon, t.1 + plan.totalDelta)
            } else {
                printError("  \(job.name): cannot be planned (it will fail again without charging)")
            }
        }
        for (dataset, t) in totals.sorted(by: { $0.key < $1.key }) {
            printError("  total on '\(dataset)': ε = \(PrivacyFormat.string(t.0)), δ = \(PrivacyFormat.string(t.1))")
        }
    }
}
