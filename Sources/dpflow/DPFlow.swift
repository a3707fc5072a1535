import ArgumentParser

/// The `dpflow` command: differentially private training driven by pipeline files.
/// Each subcommand lives in its own file and is owned by the module it fronts.
@main
struct DPFlow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dpflow",
        abstract: "Differentially private training of neural networks, driven by pipeline files.",
        subcommands: [
            RunCommand.self, ValidateCommand.self, PlanCommand.self, BatchCommand.self,
            PluginsCommand.self, BudgetCommand.self, LedgerCommand.self, SchemaCommand.self, CheckCommand.self,
        ]
    )
}
