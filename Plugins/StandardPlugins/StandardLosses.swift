import PrivateLearning

extension StandardPlugins {
    static func registerLosses(into registry: inout PluginRegistry) throws {
        try registry.registerLoss(
            "binary_crossentropy", summary: "binary cross-entropy, mean over outputs per example",
            parameters: [ParameterDescription("from_logits", type: "bool", default: "false",
                                              "predictions are logits rather than probabilities")]
        ) { params in
            let r = ParameterReader(plugin: "binary_crossentropy", parameters: params)
            try r.rejectUnknown(["from_logits", "name", "reduction"])
            return BinaryCrossentropy(fromLogits: try r.bool("from_logits", default: false))
        }
        try registry.registerLoss(
            "mean_squared_error", summary: "mean of (ŷ − y)² over outputs per example"
        ) { params in
            let r = ParameterReader(plugin: "mean_squared_error", parameters: params)
            try r.rejectUnknown(["name", "reduction"])
            return MeanSquaredError()
        }
        try registry.registerAlias("mse", for: "mean_squared_error", kind: .loss)
    }
}
