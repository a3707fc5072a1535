import PrivateLearning

extension PluginRegistry {
    static let stageExtensionKey = "dpflow.pipeline.stages"

    /// Registers a pipeline stage from a plugin library, whose entry point receives only a `PluginRegistry`:
    /// ```swift
    /// PluginLibraryABI.enter(host) { registry in
    ///     try MyPlugins.register(into: &registry)
    ///     try registry.registerStage(ModelCardStage.definition)
    /// }
    /// ```
    /// When the library is loaded into a `PipelineEnvironment`, its stages move into the environment's
    /// `StageRegistry`, exactly as if `StageRegistry.register` had been called.
    /// - Throws: `PrivateLearningError.duplicatePlugin` if this registry already holds a stage of that name.
    public mutating func registerStage(_ definition: StageDefinition) throws {
        var pending = stageDefinitions
        if pending.contains(where: { $0.name == definition.name }) {
            throw PrivateLearningError.duplicatePlugin(kind: "stage", name: definition.name)
        }
        pending.append(definition)
        setHostExtension(Self.stageExtensionKey, pending)
    }

    /// Stages registered with `registerStage` and not yet moved into a `StageRegistry`, in registration order.
    public var stageDefinitions: [StageDefinition] {
        (hostExtension(Self.stageExtensionKey) as? [StageDefinition]) ?? []
    }

    /// Moves the pending stages into `stages`.
    /// - Throws: `PipelineError.internalError` when a stage name is taken (nothing is moved then).
    mutating func moveStages(into stages: inout StageRegistry) throws {
        var candidate = stages
        for definition in stageDefinitions { try candidate.register(definition) }
        stages = candidate
        setHostExtension(Self.stageExtensionKey, nil)
    }
}
