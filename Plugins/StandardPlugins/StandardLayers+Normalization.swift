import PrivateLearning

extension StandardPlugins {
    /// layer_normalization, and batch_normalization (registered so that DP-SGD can refuse it by name).
    static func registerNormalizationLayers(into registry: inout PluginRegistry) throws {
        let initializers = Initializer.allCases.map(\.rawValue).joined(separator: "|")
        try registry.registerLayer(
            "layer_normalization",
            summary: "per-example normalisation over the last axis with learnable scale and offset (DP-compatible)",
            parameters: [
                ParameterDescription("epsilon", type: "number > 0", default: "0.001", "added to the variance"),
                ParameterDescription("center", type: "bool", default: "true", "learn an offset beta"),
                ParameterDescription("scale", type: "bool", default: "true", "learn a scale gamma"),
                ParameterDescription("gamma_initializer", type: initializers, default: "ones", "initial gamma"),
                ParameterDescription("beta_initializer", type: initializers, default: "zeros", "initial beta"),
                ParameterDescription("axis", type: "-1", default: "-1", "normalised axis (only the last is supported)"),
            ]
        ) { params in
            let r = ParameterReader(plugin: "layer_normalization", parameters: params)
            try r.rejectUnknown(["epsilon", "center", "scale", "gamma_initializer", "beta_initializer", "axis", "rms_scaling", "name"])
            switch params["axis"] {
            case nil, .null?, .int(-1)?, .list([.int(-1)])?: break
            default:
                throw PrivateLearningError.invalidParameter(plugin: "layer_normalization", parameter: "axis",
                                                            expected: "-1 (the last axis)")
            }
            guard try r.bool("rms_scaling", default: false) == false else {
                throw PrivateLearningError.invalidParameter(plugin: "layer_normalization", parameter: "rms_scaling",
                                                            expected: "false (RMS scaling is not implemented)")
            }
            return LayerNormalization(
                epsilon: Float(try r.double("epsilon", default: 1e-3, in: 0..., exclusiveLower: true)),
                center: try r.bool("center", default: true), scale: try r.bool("scale", default: true),
                gammaInitializer: try initializer(r, "gamma_initializer", default: "ones"),
                betaInitializer: try initializer(r, "beta_initializer", default: "zeros"))
        }

        try registry.registerLayer(
            "batch_normalization",
            summary: "batch normalisation: mixes examples within a batch, so DP-SGD refuses it; use layer_normalization (group_normalization for images)",
            parameters: [
                ParameterDescription("epsilon", type: "number > 0", default: "0.001", "added to the variance"),
                ParameterDescription("momentum", type: "number in [0, 1]", default: "0.99", "moving-statistics momentum"),
            ]
        ) { params in
            let r = ParameterReader(plugin: "batch_normalization", parameters: params)
            try r.rejectUnknown(["epsilon", "momentum", "axis", "center", "scale", "beta_initializer", "gamma_initializer",
                                 "moving_mean_initializer", "moving_variance_initializer", "name"])
            let momentum = try r.double("momentum", default: 0.99, in: 0...)
            guard momentum <= 1 else {
                throw PrivateLearningError.invalidParameter(plugin: "batch_normalization", parameter: "momentum",
                                                            expected: "a number in [0, 1]")
            }
            return BatchNormalization(epsilon: Float(try r.double("epsilon", default: 1e-3, in: 0..., exclusiveLower: true)),
                                      momentum: Float(momentum))
        }
    }
}
