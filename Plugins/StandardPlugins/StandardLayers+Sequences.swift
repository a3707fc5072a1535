import PrivateLearning

extension StandardPlugins {
    /// gru, lstm and bidirectional, each registered from its one declaration
    /// (`Declarations/Recurrent+Plugin.swift`; Keras names and defaults). `embedding` and
    /// `global_average_pooling1d` (mask-aware) are registered with the structure and image layers.
    static func registerSequenceLayers(into registry: inout PluginRegistry) throws {
        try registry.register(Recurrent.declaration(.gru), layer: Recurrent.maker(.gru))
        try registry.register(Recurrent.declaration(.lstm), layer: Recurrent.maker(.lstm))
        try registry.register(Bidirectional.declaration, layer: Bidirectional.make)
    }
}
