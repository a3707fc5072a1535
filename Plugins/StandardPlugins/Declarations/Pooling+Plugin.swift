import PrivateLearning

extension Pooling {
    /// `max_pooling1d/2d`, `average_pooling1d/2d` (Keras `MaxPooling2D`, …).
    public static func declaration(_ kind: Kind, rank: Int) -> PluginDeclaration {
        let word = kind == .max ? "max" : "average"
        return PluginDeclaration(
            layer: "\(word)_pooling\(rank)d",
            summary: "\(kind == .max ? "maximum" : "mean") over \(rank)-D windows of each example (padding never counts)",
            parameters: [
                .sizes("pool_size", rank: rank, default: 2, "window size"),
                .sizes("strides", rank: rank, defaultNote: "pool_size", "window step"),
                .choice("padding", ConvolutionPadding.choices, default: "valid", "border handling (Keras' rule)"),
                ConvolutionPadding.channelsLast,
            ],
            keras: KerasDeclaration("\(kind == .max ? "Max" : "Average")Pooling\(rank)D",
                                    options: ["pool_size", "strides", "padding"],
                                    fixed: ["data_format": ConvolutionPadding.kerasChannelsLast]))
    }

    static func make(_ kind: Kind, rank: Int) -> @Sendable (DeclaredParameters) throws -> Pooling {
        { p in
            let pool = try p.sizes("pool_size")
            return Pooling(kind, spatialRank: rank, poolSize: pool, strides: p.has("strides") ? try p.sizes("strides") : pool,
                           padding: try ConvolutionPadding.declared(p))
        }
    }
}

extension GlobalPooling {
    /// `global_max_pooling1d/2d`, `global_average_pooling1d/2d` (Keras `GlobalMaxPooling2D`, …).
    public static func declaration(_ kind: Pooling.Kind, rank: Int) -> PluginDeclaration {
        let word = kind == .max ? "max" : "average"
        return PluginDeclaration(
            layer: "global_\(word)_pooling\(rank)d",
            summary: "\(kind == .max ? "maximum" : "mean") over every position of each example: [B, …, C] → [B, C]",
            parameters: [ConvolutionPadding.channelsLast, .fixed("keepdims", [.bool(false)], expected: "false")],
            keras: KerasDeclaration("Global\(kind == .max ? "Max" : "Average")Pooling\(rank)D", options: [],
                                    fixed: ["data_format": ConvolutionPadding.kerasChannelsLast,
                                            "keepdims": .init([.null, .bool(false)], "only keepdims=false is supported")]))
    }

    static func make(_ kind: Pooling.Kind, rank: Int) -> @Sendable (DeclaredParameters) throws -> GlobalPooling {
        { _ in GlobalPooling(kind, spatialRank: rank) }
    }
}

extension Reshape {
    public static let declaration = PluginDeclaration(
        layer: "reshape", summary: "gives each example a new shape of the same size (one entry may be -1)",
        parameters: [.shape("target_shape", maxRank: 8, "per-example shape, e.g. [8, 8, 1]")],
        keras: KerasDeclaration("Reshape", required: ["target_shape"]))

    static func make(_ p: DeclaredParameters) throws -> Reshape { Reshape(targetShape: try p.ints("target_shape")) }
}
