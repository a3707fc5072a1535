import ArgumentParser
import DPPipeline

/// `dpflow plugins`: registered layers, losses, optimizers and stages with their parameters.
struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins", abstract: "List the layers, losses, optimizers and stages pipeline files can use.")

    func run() throws {
        print(PluginCatalog.text(try CLIEnvironment.make()))
    }
}
