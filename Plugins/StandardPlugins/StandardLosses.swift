import PrivateLearning

extension StandardPlugins {
    static func registerLosses(into registry: inout PluginRegistry) throws {
        let fromLogits = ParameterDescription("from_logits", type: "bool", default: "false",
                                              "predictions are logits rather than probabilities")
        try registry.registerLoss(
            "binary_crossentropy", summary: "binary cross-entropy, mean over outputs per example",
            parameters: [fromLogits]
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

        try registry.registerLoss(
            "categorical_crossentropy", summary: "cross-entropy with one-hot targets, summed over classes per example",
            parameters: [
                fromLogits,
                ParameterDescription("label_smoothing", type: "number in [0, 1]", default: "0",
                                     "mix targets with the uniform distribution"),
            ]
        ) { params in
            let r = ParameterReader(plugin: "categorical_crossentropy", parameters: params)
            try r.rejectUnknown(["from_logits", "label_smoothing", "name", "reduction"])
            let smoothing = try r.double("label_smoothing", default: 0, in: 0...)
            guard smoothing <= 1 else {
                throw PrivateLearningError.invalidParameter(plugin: "categorical_crossentropy", parameter: "label_smoothing",
                                                            expected: "a number in [0, 1]")
            }
            return CategoricalCrossentropy(fromLogits: try r.bool("from_logits", default: false),
                                           labelSmoothing: Float(smoothing))
        }
        try registry.registerLoss(
            "sparse_categorical_crossentropy",
            summary: "cross-entropy with integer class labels (one per example)",
            parameters: [fromLogits]
        ) { params in
            let r = ParameterReader(plugin: "sparse_categorical_crossentropy", parameters: params)
            try r.rejectUnknown(["from_logits", "name", "reduction"])
            return SparseCategoricalCrossentropy(fromLogits: try r.bool("from_logits", default: false))
        }

        try registry.registerLoss(
            "mean_absolute_error", summary: "mean of |ŷ − y| over outputs per example"
        ) { params in
            let r = ParameterReader(plugin: "mean_absolute_error", parameters: params)
            try r.rejectUnknown(["name", "reduction"])
            return MeanAbsoluteError()
        }
        try registry.registerAlias("mae", for: "mean_absolute_error", kind: .loss)

        try registry.registerLoss(
            "huber", summary: "quadratic within delta of the target, linear beyond; mean over outputs per example",
            parameters: [ParameterDescription("delta", type: "number > 0", default: "1.0",
                                              "where the loss turns from quadratic to linear (target units)")]
        ) { params in
            let r = ParameterReader(plugin: "huber", parameters: params)
            try r.rejectUnknown(["delta", "name", "reduction"])
            return Huber(delta: Float(try r.double("delta", default: 1, in: 0..., exclusiveLower: true)))
        }
        try registry.registerAlias("huber_loss", for: "huber", kind: .loss)
    }
}
