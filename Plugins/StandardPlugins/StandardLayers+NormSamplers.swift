import PrivateLearning

extension StandardPlugins {
    /// Registers the fast per-unit norm paths of the standard layers (Dense, Embedding,
    /// LayerNormalization); the other standard layers have no parameters.
    public static func registerNormSamplers(into registry: inout PluginRegistry) throws {
        try registry.registerNormSampler(for: Dense.self, Dense.squaredNorms)
        try registry.registerNormSampler(for: Embedding.self, Embedding.squaredNorms)
        try registry.registerNormSampler(for: LayerNormalization.self, LayerNormalization.squaredNorms)
        try registry.registerNormSampler(for: Convolution.self, Convolution.squaredNorms)
        try registry.registerNormSampler(for: GroupNormalization.self, GroupNormalization.squaredNorms)
        try registry.registerNormSampler(for: Recurrent.self, Recurrent.squaredNorms)
        try registry.registerNormSampler(for: Bidirectional.self, Bidirectional.squaredNorms)
    }
}
