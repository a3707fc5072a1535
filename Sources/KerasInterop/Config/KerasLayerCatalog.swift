import PrivateLearning
import StandardPlugins

/// The Keras classes dpflow maps to registry layers, taken from the plugin registry: every layer declaration with a
/// `KerasDeclaration` (class name, options passed through, options fixed at one value, required options) becomes a
/// rule, and its per-example output shape comes from the layer's own `plannedShapes`. A plugin layer that declares
/// its Keras class imports and exports like a built-in one.
struct KerasLayerCatalog: Sendable {
    let rules: [KerasLayerRule]

    init(registry: PluginRegistry) {
        var rules: [KerasLayerRule] = []
        for declaration in registry.declarations(of: .layer) {
            guard let keras = declaration.keras else { continue }
            let name = declaration.name
            let options = keras.options ?? declaration.parameters.filter { !$0.isHidden }.map(\.name)
            var choices: [String: [String]] = [:]
            for parameter in declaration.parameters where options.contains(parameter.name)
                && parameter.name != "activation" && !parameter.name.hasSuffix("_initializer") {
                if case let .choice(accepted, aliases) = parameter.type { choices[parameter.name] = accepted + aliases }
            }
            rules.append(KerasLayerRule(
                className: keras.className, registryName: name, options: Set(options),
                fixed: keras.fixed.mapValues { (allowed: $0.allowed.map(KerasConfigValue.init), reason: $0.reason) },
                required: keras.required, choices: choices,
                outputShape: { input, parameters in
                    // The layer's own shape plan: what `build` would produce, computed without allocating.
                    guard let layer = try? registry.makeLayer(name, parameters: parameters.mapValues(\.pluginParameter)) else { return nil }
                    guard let plan = try? layer.plannedShapes(inputShape: input, index: 0) else { return nil }
                    return plan.outputShape
                }))
        }
        self.rules = rules
    }

    /// The catalog of the standard plugins (used when no registry is given).
    static let standard: KerasLayerCatalog = {
        var registry = PluginRegistry()
        try? StandardPlugins.register(into: &registry)
        return KerasLayerCatalog(registry: registry)
    }()

    /// Classes that cannot be trained with DP-SGD, with the reason and the fix.
    static let refused: [String: String] = [
        "BatchNormalization": "BatchNormalization mixes examples within a batch, which breaks per-example clipping; use LayerNormalization",
        "SyncBatchNormalization": "SyncBatchNormalization mixes examples within a batch, which breaks per-example clipping; use LayerNormalization",
    ]

    /// Options present on many layers that carry no computation dpflow must reproduce.
    static let metadata: Set<String> = [
        "name", "trainable", "dtype", "batch_input_shape", "batch_shape", "batch_size", "input_shape",
        "input_length", "seed", "autocast",
    ]

    /// Activation names dpflow implements (Keras spellings), from PrivateLearning's
    /// `ActivationFunction`.
    static var activationNames: [String] { ActivationFunction.allCases.map(\.rawValue) }

    func rule(forClass className: String) -> KerasLayerRule? {
        rules.first { $0.className == className }
    }

    func rule(forRegistryName name: String) -> KerasLayerRule? {
        rules.first { $0.registryName == name }
    }
}
