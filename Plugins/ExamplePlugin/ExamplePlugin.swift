import PrivateLearning

/// An example third-party plugin pack: one layer and one loss, each declared once and registered
/// through the same public API as the standard plugins.
///
/// ```swift
/// var registry = PluginRegistry()
/// try StandardPlugins.register(into: &registry)
/// try ExamplePlugin.register(into: &registry)
/// let layer = try registry.makeLayer("gated_linear", parameters: ["units": .int(8)])
/// ```
/// Built as a loadable library by the `ExamplePluginLibrary` product (`Plugins/ExamplePluginLibrary`).
public enum ExamplePlugin {
    /// Registers `gated_linear` (layer) and `focal_binary_crossentropy` (loss).
    /// - Throws: `PrivateLearningError.duplicatePlugin` if a name is already registered.
    public static func register(into registry: inout PluginRegistry) throws {
        try registry.register(GatedLinear.declaration, layer: { p in GatedLinear(units: try p.int("units")) })
        try registry.register(FocalBinaryCrossentropy.declaration, loss: { p in
            FocalBinaryCrossentropy(gamma: try p.float("gamma"), fromLogits: try p.bool("from_logits"))
        })
    }
}

extension GatedLinear {
    /// `gated_linear`: its name, parameters and Keras class, stated once.
    public static let declaration = PluginDeclaration(
        layer: "gated_linear", summary: "(x·W + b) ⊙ sigmoid(x·V + c); generic per-example norm fallback",
        parameters: [.int("units", min: 1, "output features per example")],
        keras: KerasDeclaration("GatedLinear", required: ["units"]))
}

extension FocalBinaryCrossentropy {
    /// `focal_binary_crossentropy`: trained on 0/1 targets (`binary`), like binary_crossentropy.
    public static let declaration = PluginDeclaration(
        loss: "focal_binary_crossentropy", summary: "binary cross-entropy scaled by (1 − p_t)^gamma, mean over outputs per example",
        targetEncoding: .binary,
        parameters: [
            .number("gamma", .nonNegative, default: 2.0, "focusing exponent; 0 gives binary_crossentropy"),
            .bool("from_logits", default: false, "predictions are logits rather than probabilities"),
        ])
}
