import PrivateLearning

extension StandardPlugins {
    /// conv1d/conv2d, the pooling layers, reshape and group_normalization, each registered from its one
    /// declaration (`Declarations/`; Keras names and defaults).
    static func registerImageLayers(into registry: inout PluginRegistry) throws {
        for rank in [1, 2] {
            try registry.register(Convolution.declaration(rank: rank), layer: Convolution.make(rank: rank))
            for kind in [Pooling.Kind.max, .average] {
                try registry.register(Pooling.declaration(kind, rank: rank), layer: Pooling.make(kind, rank: rank))
                try registry.register(GlobalPooling.declaration(kind, rank: rank), layer: GlobalPooling.make(kind, rank: rank))
            }
        }
        try registry.register(Reshape.declaration, layer: Reshape.make)
        try registry.register(GroupNormalization.declaration, layer: GroupNormalization.make)
    }
}
