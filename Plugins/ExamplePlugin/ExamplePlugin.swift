import PrivateLearning

/// An example third-party plugin pack: one layer and one loss, registered through the same
/// public API as the standard plugins.
///
/// ```swift
/// var registry = PluginRegistry()
/// try StandardPlugins.register(into: &registry)
/// try ExamplePlugin.register(into: &registry)
/// let layer = try registry.makeLayer("gated_linear", parameters: ["units": .int(8)])
/// ```
public enum ExamplePlugin {
    /// Registers `gated_linear` (layer) and `focal_binary_crossentropy` (loss).
    /// - Throws: `PrivateLearningError.duplicatePlugin` if a name is already registered.
    public static func register(into registry: inout PluginRegistry) throws {
        try registry.registerLayer(
            "gated_linear", summary: "(x·W + b) ⊙ sigmoid(x·V + c); generic per-example norm fallback",
            parameters: [ParameterDescription("units", type: "int > 0", "output features per example")]
        ) { params in
            let r = ParameterReader(plugin: "gated_linear", parameters: params)
            try r.rejectUnknown(["units", "name"])
            let units = try r.int("units")
            guard units > 0 else {
                throw PrivateLearningError.invalidParameter(plugin: "gated_linear", parameter: "units", expected: "an integer > 0")
            }
            return GatedLinear(units: units)
        }
        try registry.registerLoss(
            "focal_binary_crossentropy", summary: "binary cross-entropy scaled by (1 − p_t)^gamma, mean over outputs per example",
            parameters: [
                ParameterDescription("gamma", type: "number ≥ 0", default: "2.0", "focusing exponent; 0 gives binary_crossentropy"),
                ParameterDescription("from_logits", type: "bool", default: "false", "predictions are logits rather than probabilities"),
            ]
        ) { params in
            let r = ParameterReader(plugin: "focal_binary_crossentropy", parameters: params)
            try r.rejectUnknown(["gamma", "from_logits", "name", "reduction"])
            return FocalBinaryCrossentropy(gamma: Float(try r.double("gamma", default: 2, in: 0...)),
                                           fromLogits: try r.bool("from_logits", default: false))
        }
    }
}
