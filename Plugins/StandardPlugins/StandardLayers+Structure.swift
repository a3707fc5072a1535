import PrivateLearning

extension StandardPlugins {
    /// dropout, flatten and embedding: layers that drop, reshape or look up features.
    static func registerStructureLayers(into registry: inout PluginRegistry) throws {
        try registry.register(Dropout.declaration, layer: Dropout.make)
        try registry.register(Flatten.declaration, layer: Flatten.make)
        try registry.register(Embedding.declaration, layer: Embedding.make)
    }
}
