import ArgumentParser
import Foundation
import PrivateLearning

/// The `dpflow` command: differentially private training driven by pipeline files.
/// Each subcommand lives in its own file and is owned by the module it fronts.
@main
struct DPFlow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dpflow",
        abstract: "Differentially private training of neural networks, driven by pipeline files.",
        subcommands: [
            RunCommand.self, ValidateCommand.self, PlanCommand.self, BatchCommand.self, TuneCommand.self,
            PluginsCommand.self, PluginCommand.self, BudgetCommand.self, LedgerCommand.self, SchemaCommand.self, CheckCommand.self,
        ]
    )

    /// Parses and runs; command-line errors exit 2 (as documented), not ArgumentParser's 64.
    static func main() {
        // OpenBLAS's generic kernels on a CPU it does not recognise are ~25× slower: re-exec once with the right ones.
        BLASKernelSelection.reexecWithFasterKernelsIfNeeded()
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let message = CommandLineArguments.negativeNumberProblem(arguments) {
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            Foundation.exit(CommandLineArguments.usageExitCode)
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            Foundation.exit(code == .validationFailure ? CommandLineArguments.usageExitCode : code.rawValue)
        }
    }
}
