import ArgumentParser
import DPPipeline

/// `dpflow plugins`: registered layers, losses, optimizers and stages with their parameters.
struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins", abstract: "List the layers, losses, optimizers and stages pipeline files can use.")

    @OptionGroup var plugins: PluginOptions

    @Flag(help: "Print the reference table of layers, losses and optimizers as Markdown (docs/plugins.md's table).")
    var markdown = false

    func run() throws {
        let environment = try CLIEnvironment.make(pluginPaths: plugins.paths)
        print(markdown ? PluginCatalog.markdownTable(environment.plugins) : PluginCatalog.text(environment))
    }
}
