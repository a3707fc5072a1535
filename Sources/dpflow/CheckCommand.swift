import ArgumentParser
import DPPipeline
import Foundation

/// `dpflow check PIPELINE`: the data owner's check of the data against the pipeline's schema.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "For the data owner: check the pipeline's CSV against its schema, with line, column and value. Spends nothing.",
        discussion: """
            Operator output: every problem names its line, column and value (out of bounds, undeclared category, \
            missing or unparsable value, ragged row, bad quoting), so the output reveals the data and must not be \
            given to the pipeline author. `dpflow run` never fails on such values: it applies the schema's declared \
            data-independent policies (clamp, default, drop the row) and reports nothing about them. This command \
            reserves no budget and writes nothing into any output folder. Exit status 1 when a problem is found.
            """
    )

    @Argument(help: "The pipeline file whose 'load' stage(s) to check.") var pipeline: String
    @Option(name: .long, help: "How many problems to list per file (all are counted).")
    var limit: Int = 100

    func run() throws {
        let environment = try CLIEnvironment.make()
        let result = DataCheck.run(file: pipeline, environment: environment, limit: max(0, limit))
        printError("dpflow check: OPERATOR OUTPUT, it contains data values; do not share it with the pipeline author")
        for line in result.lines { print(line) }
        if result.foundProblems { throw ExitCode(1) }
    }
}
