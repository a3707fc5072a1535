import PrivateLearning

/// The registries a pipeline is checked and run against. A value; tests build their own.
public struct PipelineEnvironment: Sendable {
    public var stages: StageRegistry
    /// Layers, losses and optimizers that `train` stages may name.
    public var plugins: PluginRegistry
    /// Plugin libraries loaded into `plugins` (`--plugin`, a pipeline's `plugins:`), listed in the report.
    public var loadedLibraries: [LoadedPluginLibrary] = []
    /// Resolved paths of `loadedLibraries`, so that a file is loaded once.
    var loadedLibraryPaths: [String] = []

    public init(stages: StageRegistry = .standard, plugins: PluginRegistry) {
        self.stages = stages
        self.plugins = plugins
    }
}

/// A pipeline file that passed both validation phases: decoded (`spec`) and resolved (`facts`).
public struct Pipeline: Sendable {
    public var spec: PipelineSpec
    public var facts: ResolutionContext
    public var environment: PipelineEnvironment

    /// Reads, decodes and resolves a pipeline file.
    /// - Throws: `PipelineError.invalidPipeline` with every problem found (`file:line:column: error: …`),
    ///   or `.unreadableFile`.
    public static func load(file: String, environment: PipelineEnvironment) throws -> Pipeline {
        let (text, directory) = try PipelineParser.read(file: file)
        return try load(yaml: text, file: file, directory: directory, environment: environment)
    }

    /// Decodes and resolves pipeline text (for tests and tools); relative paths resolve against `directory`.
    public static func load(yaml: String, file: String = "<string>", directory: String = ".",
                            environment: PipelineEnvironment) throws -> Pipeline {
        var (spec, diagnostics) = try PipelineParser(stages: environment.stages).decode(yaml: yaml, file: file, directory: directory)
        guard let decoded = spec else { throw PipelineError.invalidPipeline(diagnostics.sorted) }
        var environment = environment
        let stagesBefore = environment.stages.names
        var libraryProblems = DiagnosticCollector()
        // The pipeline's own plugin libraries (`plugins:`), loaded before its names are resolved.
        for library in decoded.pluginLibraries {
            do {
                try environment.loadPluginLibraries([library.path], relativeTo: directory)
            } catch {
                libraryProblems.error(library.position, "\(error)")
            }
        }
        // A library that added stages: decode again, so that the pipeline may use them.
        if environment.stages.names != stagesBefore {
            (spec, diagnostics) = try PipelineParser(stages: environment.stages).decode(yaml: yaml, file: file, directory: directory)
        }
        guard let resolvedSpec = spec else { throw PipelineError.invalidPipeline(diagnostics.sorted) }
        var earlier = diagnostics
        earlier.append(contentsOf: libraryProblems.sorted)
        return try Pipeline(spec: resolvedSpec, environment: environment, earlier: earlier)
    }

    /// Resolves a decoded spec; `earlier` holds phase (a) problems to report together with phase (b)'s.
    public init(spec: PipelineSpec, environment: PipelineEnvironment, earlier: DiagnosticCollector = DiagnosticCollector()) throws {
        self.spec = spec
        self.environment = environment
        var earlier = earlier
        earlier.append(contentsOf: spec.outputNameDiagnostics())
        self.facts = try PipelineResolver(stages: environment.stages, plugins: environment.plugins).resolve(spec, earlier: earlier)
    }

    /// Every problem in a pipeline file, empty when it is valid.
    public static func diagnose(file: String, environment: PipelineEnvironment) -> [String] {
        do {
            // Planning too: costs, split sizes and the accountant are public facts, checked before any reservation.
            _ = try load(file: file, environment: environment).plan(datasetID: { _ in "validate" })
            return []
        } catch let error as PipelineError {
            if case .invalidPipeline(let diagnostics) = error { return diagnostics.map(\.description) }
            return [error.description]
        } catch {
            return ["\(file): error: \(error)"]
        }
    }
}
