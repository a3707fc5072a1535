/// The stages a pipeline file may use, by name, plus the hooks through which other modules add model sources
/// (`train: {model: {keras_json: …}}`) and exporters (`export: {keras: …}`). A value, passed explicitly.
///
/// ```swift
/// var stages = StageRegistry.standard
/// try stages.register(MyStage.definition)
/// ```
public struct StageRegistry: Sendable {
    public private(set) var definitions: [String: StageDefinition] = [:]
    /// Stage names in registration order (the built-ins first, in pipeline order).
    public private(set) var registrationOrder: [String] = []
    /// Resolvers for `train.model` given as a mapping, keyed by the mapping key that selects them
    /// (e.g. `keras_json`). Filled by the Keras interop module.
    public private(set) var modelSources: [String: any ModelSourceResolver] = [:]
    /// Exporters for `export: {<key>: name}` other than dpflow's own `model`, keyed by that key (e.g. `keras`).
    public private(set) var modelExporters: [String: any ModelExporter] = [:]

    public init() {}

    /// The nine built-in stages, registered through the same API as third-party stages. Their data flow comes
    /// from their typed `inputs`/`outputs`; `load`, `select`, `split`, `train` and `predict` appear at most once.
    public static var standard: StageRegistry {
        var registry = StageRegistry()
        for definition in [LoadStage.definition.ordered(.once), SelectStage.definition.ordered(.once),
                           SplitStage.definition.ordered(.once),
                           VocabularyStage.definition.ordered(.init(after: ["split"], before: ["train"])), TrainStage.definition.ordered(.once),
                           PredictStage.definition.ordered(.once), EvaluateStage.definition, ReleaseStage.definition,
                           ExportStage.definition] {
            // Built-in names are distinct; registration cannot fail.
            try! registry.register(definition)
        }
        return registry
    }

    /// Adds a stage.
    /// - Throws: `PipelineError.internalError` if the name is taken and `replacing` is false.
    public mutating func register(_ definition: StageDefinition, replacing: Bool = false) throws {
        if definitions[definition.name] != nil && !replacing {
            throw PipelineError.internalError("a stage named '\(definition.name)' is already registered")
        }
        if definitions[definition.name] == nil { registrationOrder.append(definition.name) }
        definitions[definition.name] = definition
    }

    /// Adds a model source selected by `key` in a `train.model` mapping.
    public mutating func registerModelSource(_ key: String, _ resolver: any ModelSourceResolver, replacing: Bool = false) throws {
        if modelSources[key] != nil && !replacing {
            throw PipelineError.internalError("a model source '\(key)' is already registered")
        }
        modelSources[key] = resolver
    }

    /// Adds an exporter selected by `key` in an `export` stage.
    public mutating func registerModelExporter(_ key: String, _ exporter: any ModelExporter, replacing: Bool = false) throws {
        if modelExporters[key] != nil && !replacing {
            throw PipelineError.internalError("a model exporter '\(key)' is already registered")
        }
        modelExporters[key] = exporter
    }

    /// Stage names in registration order (the built-ins in pipeline order, then third-party stages).
    public var names: [String] { registrationOrder }

    public func definition(named name: String) -> StageDefinition? { definitions[name] }
}
