import ArgumentParser
import Foundation
import PrivateDataFrame

/// `dpflow schema data.csv`: propose a schema for the data owner, by reading the data.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Propose a schema for a CSV file. READS THE DATA: the result is not public; do not share it.",
        discussion: """
            For the data owner only. The proposal's bounds and category values are observed in the \
            file, so it reveals the data. Replace the bounds by domain knowledge before using it in \
            a pipeline; bounds computed from the data void the differential-privacy guarantee.
            """
    )

    @Argument(help: "The CSV file (header row required).") var file: String
    @Option(name: .long, help: "Text columns with at most this many distinct values become categories.")
    var maxCategories: Int = 20
    @Option(name: .shortAndLong, help: "Write the proposal to this file instead of standard output.")
    var output: String?

    func run() throws {
        do {
            let (schema, order) = try SchemaProposal.propose(csv: file, maxCategories: maxCategories)
            let text = SchemaProposal.warning + "\n# source: \(file)\n" + SchemaProposal.yaml(schema, order: order)
            if let output {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
                FileHandle.standardError.write(Data("wrote a schema proposal READ FROM THE DATA to \(output); review it and do not share it\n".utf8))
            } else {
                print(text, terminator: "")
            }
        } catch let e as DataFrameError {
            FileHandle.standardError.write(Data((e.description + "\n").utf8))
            throw ExitCode.failure
        }
    }
}
