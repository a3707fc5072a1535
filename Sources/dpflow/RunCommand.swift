import ArgumentParser
import DataParallel
import DPPipeline
import Foundation
import PrivateDataFrame

/// `dpflow run FILE [--output DIR] [--ledger PATH] [--seed N]`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline: check, reserve its budget, train, evaluate, write a report.",
        discussion: """
            Exit codes: 0 success, 1 invalid pipeline or data (or output folder), 2 bad command-line arguments, \
            3 budget refused (also: ledger missing, empty, damaged, or the data file bound to another dataset), \
            4 internal or I/O error, 130 interrupted by SIGINT, 143 by SIGTERM (status.json says `interrupted`; \
            the reservation stays charged).
            """)

    @Argument(help: "Pipeline file.")
    var file: String

    @Option(help: "Output folder (default: runs/<pipeline name>).")
    var output: String?

    @OptionGroup var ledger: LedgerOptions

    @OptionGroup var plugins: PluginOptions

    @Option(help: "Seed sampling and noise (tests only): the run is reported NOT PRIVATE.")
    var seed: UInt64?

    @Option(help: "Override every train stage's epochs (quick trials; the plan follows).")
    var epochs: Int?

    @Flag(help: "Only print the final lines.")
    var quiet = false

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be a positive whole number") }
    }

    func run() throws {
        if let mpi = MPIEnvironment.detect() { return try runDataParallel(mpi) }
        let runner = try CLIEnvironment.runner(pluginPaths: plugins.paths)
        let location = ledger.location
        let outputDirectory: String
        if let output {
            outputDirectory = output
        } else {
            let (pipeline, _) = try CLIEnvironment.exiting {
                try runner.plan(file: file, epochsOverride: epochs, ledgerPath: location.path)
            }
            outputDirectory = "runs/\(pipeline.spec.name)"
        }
        let progress = ProgressDisplay(quiet: quiet)
        let options = RunOptions(outputDirectory: outputDirectory, ledgerPath: location.path,
                                 createLedgerIfAbsent: location.mayCreateOnFirstUse, seed: seed, epochsOverride: epochs,
                                 events: { progress.handle($0) })
        let interrupts = InterruptHandler(outputDirectory: outputDirectory, file: file)
        let report = try CLIEnvironment.exiting { try runner.run(file: file, options: options) }
        interrupts.disarm()
        progress.finish()
        Self.printSummary(report, outputDirectory: outputDirectory)
    }

    /// The final lines of a run on stdout.
    static func printSummary(_ report: RunReport, outputDirectory: String) {
        if !report.privacy.private {
            print("*** NOT PRIVATE *** " + report.privacy.notPrivateReasons.joined(separator: "; "))
        }
        print("ε spent: \(PrivacyFormat.string(report.privacy.epsilon)), δ: \(PrivacyFormat.string(report.privacy.delta)) (\(report.privacy.accountant), summed over stages)")
        for (name, metric) in report.metrics.sorted(by: { $0.key < $1.key }) {
            let kind = metric.private ? "DP, noise std \(String(format: "%.3g", metric.noiseScale))" : "exact, NOT PRIVATE"
            print("\(name): \(String(format: "%.4f", metric.value)) (\(kind))")
        }
        print("report: \(outputDirectory)/report.html")
    }
}

/// `--ledger PATH|URL`, shared by run, plan, batch and ledger; else `DPFLOW_LEDGER`, else the per-user default.
struct LedgerOptions: ParsableArguments {
    @Option(name: .customLong("ledger"),
            help: "Budget ledger: a SQLite file, or postgres://user@host:port/database. Default: $DPFLOW_LEDGER, else $XDG_DATA_HOME/dpflow/ledger.sqlite (~/.local/share/dpflow/ledger.sqlite).")
    var path: String?

    var location: LedgerLocation { LedgerLocation.resolve(option: path) }
}
