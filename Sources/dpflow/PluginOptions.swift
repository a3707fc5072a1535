import ArgumentParser
import DPPipeline
import Foundation

/// `--plugin PATH` (repeatable), shared by run, validate, plan, batch and plugins: plugin libraries to load.
struct PluginOptions: ParsableArguments {
    @Option(name: .customLong("plugin"),
            help: ArgumentHelp("Load a plugin library (.so built from a SwiftPM .dynamic product; repeatable). "
                               + "Only the named file is loaded. A plugin runs with dpflow's privileges and can break every privacy guarantee.",
                               valueName: "path"))
    var paths: [String] = []

    /// The paths made absolute, for child processes that may run in another directory.
    var absolutePaths: [String] {
        paths.map { $0.hasPrefix("/") ? $0 : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent($0) }
    }
}
