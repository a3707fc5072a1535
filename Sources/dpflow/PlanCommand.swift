import ArgumentParser
import DPPipeline
import Foundation

/// `dpflow plan FILE`: stages, model, privacy cost per stage and in total, ledger state, and whether it fits.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what a pipeline will do and cost, and whether the ledger can pay for it (reads no data values).",
        discussion: "Exit 3 when it does not fit, by the ledger's own rule: a plan that fits is a run the ledger accepts.")

    @Argument(help: "Pipeline file.")
    var file: String

    @OptionGroup var ledger: LedgerOptions

    @OptionGroup var plugins: PluginOptions

    @Option(help: "Override every train stage's epochs.")
    var epochs: Int?

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be a positive whole number") }
    }

    func run() throws {
        let runner = try CLIEnvironment.runner(pluginPaths: plugins.paths)
        let location = ledger.location
        let (pipeline, plan) = try CLIEnvironment.exiting { try runner.plan(file: file, epochsOverride: epochs, ledgerPath: location.path) }
        let state = runner.ledgerState(location: location.path, mayCreate: location.mayCreateOnFirstUse, dataset: plan.dataset,
                                       dataFile: pipeline.facts.csvPath)
        print(PlanRenderer.text(plan, file: file, ledgerPath: location.path, ledger: state.snapshot, ledgerProblem: state.problem))
        if !PlanRenderer.fits(plan, ledgerPath: location.path, ledger: state.snapshot, ledgerProblem: state.problem).fits { throw ExitCode(3) }
    }
}
