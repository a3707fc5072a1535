import PrivateLearning

extension Convolution {
    /// `conv1d` / `conv2d` (Keras `Conv1D` / `Conv2D`): the one declaration of each rank.
    public static func declaration(rank: Int) -> PluginDeclaration {
        PluginDeclaration(
            layer: "conv\(rank)d",
            summary: "\(rank)-D convolution, channels-last (im2col + GEMM); fast per-example norms (mixed ghost clipping)",
            parameters: [
                .int("filters", min: 1, "output channels"),
                .sizes("kernel_size", rank: rank, "window size"),
                .sizes("strides", rank: rank, default: 1, "window step"),
                .choice("padding", ConvolutionPadding.choices, default: "valid", "border handling (Keras' rule)"),
                .sizes("dilation_rate", rank: rank, default: 1, "gap between taps"),
                .choice("activation", StandardChoices.activations, aliases: StandardChoices.activationAliases, default: "linear",
                        "activation applied to the output"),
                .bool("use_bias", default: true, "add a bias per filter"),
                .choice("kernel_initializer", StandardChoices.initializers, default: "glorot_uniform", "initial kernel"),
                .choice("bias_initializer", StandardChoices.initializers, default: "zeros", "initial bias"),
                ConvolutionPadding.channelsLast,
                .fixed("groups", [.int(1)], expected: "1 (grouped convolution is not implemented)"),
            ],
            keras: KerasDeclaration(
                "Conv\(rank)D",
                options: ["filters", "kernel_size", "strides", "padding", "dilation_rate", "activation", "use_bias",
                          "kernel_initializer", "bias_initializer"],
                fixed: ["data_format": ConvolutionPadding.kerasChannelsLast,
                        "groups": .init([.int(1)], "grouped convolutions are not implemented")],
                required: ["filters", "kernel_size"]))
    }

    static func make(rank: Int) -> @Sendable (DeclaredParameters) throws -> Convolution {
        { p in
            guard try p.int("filters") < 1 << 24 else {
                throw PrivateLearningError.invalidParameter(plugin: p.declaration.name, parameter: "filters", expected: "an integer > 0")
            }
            return Convolution(spatialRank: rank, filters: try p.int("filters"), kernelSize: try p.sizes("kernel_size"),
                        strides: try p.sizes("strides"), padding: try ConvolutionPadding.declared(p),
                        dilation: try p.sizes("dilation_rate"), activation: try StandardChoices.activation(p, "activation"),
                        useBias: try p.bool("use_bias"),
                        kernelInitializer: try StandardChoices.initializer(p, "kernel_initializer"),
                        biasInitializer: try StandardChoices.initializer(p, "bias_initializer"))
        }
    }
}

extension ConvolutionPadding {
    static let choices = ["valid", "same"]

    /// `data_format`: accepted only as channels_last (hidden from listings, as Keras' default).
    static let channelsLast = DeclaredParameter.fixed("data_format", [.string("channels_last")], expected: "channels_last")
    static let kerasChannelsLast = KerasDeclaration.FixedOption([.null, .string("channels_last")], "only channels_last is supported")

    /// The declared `padding` choice (compared case-insensitively, as the declaration accepts it).
    static func declared(_ p: DeclaredParameters) throws -> ConvolutionPadding {
        guard let padding = ConvolutionPadding(rawValue: try p.string("padding").lowercased()) else {
            throw PrivateLearningError.invalidParameter(plugin: p.declaration.name, parameter: "padding", expected: "same or valid")
        }
        return padding
    }
}
