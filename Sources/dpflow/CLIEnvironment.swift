import ArgumentParser
import DPPipeline
import Foundation

/// The registries and services the command-line tool runs pipelines with.
enum CLIEnvironment {
    static func make() throws -> PipelineEnvironment {
        try PipelineEnvironment.standard()
    }

    static func runner() throws -> PipelineRunner {
        try PipelineRunner.standard(environment: make())
    }

    /// This executable, for batch jobs run as child processes.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
    }

    /// Runs `body`; a `PipelineError` is printed to stderr and becomes its exit code (1, 3 or 4).
    static func exiting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PipelineError {
            printError(error.description)
            throw ExitCode(error.exitCode)
        }
    }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
