import DPPipeline
import Foundation

/// The registries the command-line tool runs pipelines against: the standard stages and plugins.
enum CLIEnvironment {
    static func make() throws -> PipelineEnvironment {
        PipelineEnvironment(stages: .standard)
    }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
