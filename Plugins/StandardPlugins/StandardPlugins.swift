import PrivateLearning

/// The built-in layers, losses and optimizers, registered through the same public API a
/// third-party plugin uses.
public enum StandardPlugins {
    /// Registers every standard plugin under its Keras name (and Keras aliases).
    /// - Throws: `PrivateLearningError.duplicatePlugin` if a name is already taken.
    public static func register(into registry: inout PluginRegistry) throws {
        try registerLayers(into: &registry)
        try registerLosses(into: &registry)
        try registerOptimizers(into: &registry)
        try registerNormSamplers(into: &registry)
    }
}
