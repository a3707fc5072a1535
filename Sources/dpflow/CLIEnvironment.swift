import ArgumentParser
import AuditStage
import DPPipeline
import Foundation

/// The registries and services the command-line tool runs pipelines with.
enum CLIEnvironment {
    /// The standard environment plus the plugin libraries named with `--plugin`; a library that cannot be
    /// loaded is printed to stderr and exits 1.
    static func make(pluginPaths: [String] = []) throws -> PipelineEnvironment {
        var environment = try PipelineEnvironment.standard()
        // Plugins/AuditStage: a stage written against the public stage API, shipped with dpflow.
        try AuditStagePlugin.register(into: &environment.stages)
        do {
            try environment.loadPluginLibraries(pluginPaths)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        for library in environment.loadedLibraries {
            printError("plugin library \(library.path) (sha256 \(library.sha256)): \(library.registered.joined(separator: ", "))")
        }
        return environment
    }

    static func runner(pluginPaths: [String] = []) throws -> PipelineRunner {
        try PipelineRunner.standard(environment: make(pluginPaths: pluginPaths))
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
