import ArgumentParser
import DPPipeline

/// `dpflow validate FILE…`: checks pipeline files and prints every problem as `file:line:column: error: …`.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check pipeline files without reading data or spending budget; print every problem.")

    @Argument(help: "Pipeline files.")
    var files: [String]

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let environment = try CLIEnvironment.make(pluginPaths: plugins.paths)
        var invalid = 0
        for file in files {
            let problems = Pipeline.diagnose(file: file, environment: environment)
            if problems.isEmpty {
                print("\(file): ok")
            } else {
                invalid += 1
                for p in problems { printError(p) }
            }
        }
        if invalid > 0 {
            printError("\(invalid) of \(files.count) pipeline file(s) invalid")
            throw ExitCode(1)
        }
    }
}
