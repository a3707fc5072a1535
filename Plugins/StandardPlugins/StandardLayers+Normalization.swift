import PrivateLearning

extension StandardPlugins {
    /// layer_normalization, and batch_normalization (registered so that DP-SGD can refuse it with a reason).
    static func registerNormalizationLayers(into registry: inout PluginRegistry) throws {
        try registry.register(LayerNormalization.declaration, layer: LayerNormalization.make)
        try registry.register(BatchNormalization.declaration, layer: BatchNormalization.make)
    }
}
