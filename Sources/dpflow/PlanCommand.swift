import ArgumentParser
import DPPipeline

/// `dpflow plan FILE`: stages, model, privacy cost per stage and in total, ledger state, and whether it fits.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what a pipeline will do and cost, and whether the ledger can pay for it (reads no data values).")

    @Argument(help: "Pipeline file.")
    var file: String

    @OptionGroup var ledger: LedgerOptions

    @Option(help: "Override every train stage's epochs.")
    var epochs: Int?

    func run() throws {
        let runner = try CLIEnvironment.runner()
        let (_, plan) = try CLIEnvironment.exiting { try runner.plan(file: file, epochsOverride: epochs) }
        let snapshot = try CLIEnvironment.exiting { try runner.ledgerSnapshot(path: ledger.path, dataset: plan.dataset) }
        print(PlanRenderer.text(plan, file: file, ledgerPath: ledger.path, ledger: snapshot))
        if !PlanRenderer.fits(plan, ledgerPath: ledger.path, ledger: snapshot).fits { throw ExitCode(3) }
    }
}
