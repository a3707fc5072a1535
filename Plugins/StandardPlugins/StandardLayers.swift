import PrivateLearning

extension StandardPlugins {
    /// The standard layers, each registered from its one declaration (`Declarations/`).
    static func registerLayers(into registry: inout PluginRegistry) throws {
        try registry.register(Dense.declaration, layer: Dense.make)
        try registry.register(Activation.declaration, layer: Activation.make)
        try registerStructureLayers(into: &registry)
        try registerNormalizationLayers(into: &registry)
        try registerImageLayers(into: &registry)
        try registerSequenceLayers(into: &registry)
    }
}
