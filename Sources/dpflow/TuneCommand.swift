import ArgumentParser
import DPPipeline
import Foundation
import PrivateDataFrame

/// `dpflow tune FILE [--output DIR] [--ledger PATH] [--seed N] [--plan]`: a pipeline whose train stage has a
/// `tune:` block — a private hyperparameter search, accounted as a whole and reserved before it starts.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Run a pipeline's private hyperparameter search (train.tune): K random trials, only the best released.",
        discussion: """
            The search is accounted by the RDP bound of Papernot & Steinke (2022) for a random number of trials and \
            charged to the ledger before it starts. --plan prints its cost next to a single run without reading data. \
            Exit codes as for `dpflow run`.
            """)

    @Argument(help: "Pipeline file (its train stage must have a 'tune:' block).")
    var file: String

    @Option(help: "Output folder (default: runs/<pipeline name>).")
    var output: String?

    @OptionGroup var ledger: LedgerOptions

    @Option(help: "Seed sampling and noise (tests only): the run is reported NOT PRIVATE.")
    var seed: UInt64?

    @Flag(help: "Only print the search's cost (no data read, no budget reserved).")
    var plan = false

    func run() throws {
        let runner = try CLIEnvironment.runner()
        let location = ledger.location
        let (pipeline, plan) = try CLIEnvironment.exiting { try runner.plan(file: file, ledgerPath: location.path) }
        guard let stageIndex = pipeline.spec.stages.firstIndex(where: { ($0 as? TrainStage)?.tune != nil }) else {
            FileHandle.standardError.write(Data("error: \(file) has no train stage with a 'tune:' block (see docs/tuning.md)\n".utf8))
            throw ExitCode(1)
        }
        let cost = plan.stages[stageIndex].cost
        print("search: ε = \(PrivacyFormat.string(cost.epsilon)), δ = \(PrivacyFormat.string(cost.delta)) — \(cost.detail)")
        if self.plan { return }
        let outputDirectory = output ?? "runs/\(pipeline.spec.name)"
        let progress = ProgressDisplay(quiet: true)
        let options = RunOptions(outputDirectory: outputDirectory, ledgerPath: location.path,
                                 createLedgerIfAbsent: location.mayCreateOnFirstUse, seed: seed, epochsOverride: nil,
                                 events: { progress.handle($0) })
        let interrupts = InterruptHandler(outputDirectory: outputDirectory, file: file)
        let report = try CLIEnvironment.exiting { try runner.run(file: file, options: options) }
        interrupts.disarm()
        progress.finish()
        if !report.privacy.private {
            print("*** NOT PRIVATE *** " + report.privacy.notPrivateReasons.joined(separator: "; "))
        }
        if let best = report.training?.search?.best {
            print("best hyperparameters: \(TrainStage.describe(best))")
        }
        print("ε spent: \(PrivacyFormat.string(report.privacy.epsilon)), δ: \(PrivacyFormat.string(report.privacy.delta)) (\(report.privacy.accountant), summed over stages)")
        for (name, metric) in report.metrics.sorted(by: { $0.key < $1.key }) {
            let kind = metric.private ? "DP, noise std \(String(format: "%.3g", metric.noiseScale))" : "exact, NOT PRIVATE"
            print("\(name): \(String(format: "%.4f", metric.value)) (\(kind))")
        }
        print("report: \(outputDirectory)/report.html")
    }
}
