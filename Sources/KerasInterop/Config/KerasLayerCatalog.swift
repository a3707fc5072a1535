import PrivateLearning

/// The Keras classes dpflow maps to registry layers, the classes it refuses, and shared option sets.
enum KerasLayerCatalog {
    static let rules: [KerasLayerRule] = [
        KerasLayerRule(
            className: "Dense", registryName: "dense",
            options: ["units", "activation", "use_bias", "kernel_initializer", "bias_initializer"],
            outputShape: { input, p in p["units"]?.intValue.map { Array(input.dropLast()) + [$0] } }),
        KerasLayerRule(className: "Activation", registryName: "activation", options: ["activation"]),
        KerasLayerRule(
            className: "Dropout", registryName: "dropout", options: ["rate"],
            fixed: ["noise_shape": ([.null], "dpflow drops every feature independently (noise_shape must be null)")]),
        KerasLayerRule(
            className: "Flatten", registryName: "flatten", options: [],
            fixed: ["data_format": ([.null, .string("channels_last")], "only channels_last is supported")],
            outputShape: { input, _ in [input.reduce(1, *)] }),
        KerasLayerRule(
            className: "LayerNormalization", registryName: "layer_normalization",
            options: ["epsilon", "center", "scale", "beta_initializer", "gamma_initializer"],
            fixed: ["rms_scaling": ([.bool(false)], "RMS scaling is not implemented")]),
        KerasLayerRule(
            className: "Embedding", registryName: "embedding",
            options: ["input_dim", "output_dim", "embeddings_initializer"],
            fixed: ["mask_zero": ([.bool(false)], "masking is not implemented"),
                    "sparse": ([.bool(false)], "sparse gradients are not implemented")],
            outputShape: { input, p in p["output_dim"]?.intValue.map { input + [$0] } }),
        KerasLayerRule(
            className: "Conv2D", registryName: "conv2d",
            options: ["filters", "kernel_size", "strides", "padding", "dilation_rate", "activation", "use_bias",
                      "kernel_initializer", "bias_initializer"],
            fixed: ["data_format": ([.null, .string("channels_last")], "only channels_last is supported"),
                    "groups": ([.int(1)], "grouped convolutions are not implemented")],
            outputShape: { _, _ in nil }),
    ]

    /// Classes that cannot be trained with DP-SGD, with the reason and the fix.
    static let refused: [String: String] = [
        "BatchNormalization": "BatchNormalization mixes examples within a batch, which breaks per-example clipping; use LayerNormalization",
        "SyncBatchNormalization": "SyncBatchNormalization mixes examples within a batch, which breaks per-example clipping; use LayerNormalization",
        "GroupNormalization": "GroupNormalization is not implemented; use LayerNormalization",
    ]

    /// Options present on many layers that carry no computation dpflow must reproduce.
    static let metadata: Set<String> = [
        "name", "trainable", "dtype", "batch_input_shape", "batch_shape", "batch_size", "input_shape",
        "input_length", "seed", "autocast",
    ]

    /// Activation names dpflow implements (Keras spellings), from PrivateLearning's
    /// `ActivationFunction`.
    static var activationNames: [String] { ActivationFunction.allCases.map(\.rawValue) }

    static func rule(forClass className: String) -> KerasLayerRule? {
        rules.first { $0.className == className }
    }

    static func rule(forRegistryName name: String) -> KerasLayerRule? {
        rules.first { $0.registryName == name }
    }
}
