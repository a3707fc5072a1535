import ArgumentParser
import DPPipeline
import Foundation

/// `dpflow batch FILES|DIR --output DIR [--jobs K] [--ledger PATH] [--force]`.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run many pipelines as jobs sharing one ledger; a summary table and summary.json at the end.",
        discussion: "Each job runs in its own process and folder. Completed jobs are skipped on a rerun unless --force. Exit code 0 when every job completed or was skipped, 1 otherwise.")

    @Argument(help: "Pipeline files or folders of *.yaml files.")
    var inputs: [String]

    @Option(help: "Output folder; each job gets a subfolder.")
    var output: String

    @Option(help: "Jobs run at once.")
    var jobs: Int = 1

    @OptionGroup var ledger: LedgerOptions

    @Flag(help: "Rerun jobs that completed before.")
    var force = false

    @Option(help: "Override every train stage's epochs.")
    var epochs: Int?

    func run() throws {
        let files = try CLIEnvironment.exiting { try BatchRunner.pipelineFiles(inputs) }
        guard !files.isEmpty else {
            printError("error: no pipeline files found in \(inputs.joined(separator: ", "))")
            throw ExitCode(1)
        }
        var extra = ["--quiet"]
        if let epochs { extra += ["--epochs", String(epochs)] }
        let runner = BatchRunner(outputDirectory: output, concurrency: jobs, ledger: ledger.path, force: force,
                                 launcher: ProcessJobLauncher(executable: CLIEnvironment.executablePath, extraArguments: extra))
        let batchJobs = runner.jobs(for: files)
        printError("batch: \(batchJobs.count) job(s), up to \(max(1, jobs)) at once, ledger \(ledger.path)")
        let results = try runner.run(batchJobs) { result in
            printError("  \(result.job): \(result.status.rawValue)\(result.exitCode.map { " (exit \($0))" } ?? "")")
        }
        print(BatchSummary.table(results))
        print("summary: \(output)/summary.json")
        if results.contains(where: { $0.status != .completed && $0.status != .skipped }) { throw ExitCode(1) }
    }
}
