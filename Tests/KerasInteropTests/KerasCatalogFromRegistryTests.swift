import Foundation
import PrivateLearning
import StandardPlugins
import Testing
@testable import KerasInterop

/// KerasInterop takes its layer catalog from the plugin registry's declarations.
@Suite("Keras layer catalog from the registry")
struct KerasCatalogFromRegistryTests {
    /// The standard registry plus a plugin layer `scaled_dense` that declares the Keras class `ScaledDense`,
    /// passes `units` through, fixes `scale_mode` at "none" and requires `units`.
    static func registry() throws -> PluginRegistry {
        var registry = PluginRegistry()
        try StandardPlugins.register(into: &registry)
        try registry.register(PluginDeclaration(
            layer: "scaled_dense", summary: "test plugin",
            parameters: [.int("units", min: 1, "outputs")],
            keras: KerasDeclaration("ScaledDense", options: ["units"],
                                    fixed: ["scale_mode": .init([.null, .string("none")], "only 'none' is implemented")],
                                    required: ["units"])), layer: { p in Dense(try p.int("units")) })
        return registry
    }

    static func model(_ layer: KerasConfigValue) -> KerasConfigValue {
        .dictionary(["class_name": .string("Sequential"), "config": .dictionary(["name": .string("m"), "layers": .list([
            .dictionary(["class_name": .string("InputLayer"), "config": .dictionary([
                "batch_shape": .list([.null, .int(4)]), "dtype": .string("float32")])]),
            layer,
        ])])])
    }

    static func encoded(_ value: KerasConfigValue) throws -> Data { try JSONEncoder().encode(value) }

    @Test("a plugin layer that declares its Keras class is imported by class name, with its options and checks")
    func pluginLayerImports() throws {
        let registry = try Self.registry()
        let layer = KerasConfigValue.dictionary(["class_name": .string("ScaledDense"),
                                                 "config": .dictionary(["units": .int(3), "scale_mode": .string("none"), "name": .string("s")])])
        let spec = try KerasModelSpec(json: Self.encoded(Self.model(layer)), file: "m.json", registry: registry)
        #expect(spec.layers.count == 1)
        #expect(spec.layers[0].registryName == "scaled_dense")
        #expect(spec.layers[0].parameters == ["units": .int(3)])

        // The fixed option and the required option come from the declaration too.
        let fixed = KerasConfigValue.dictionary(["class_name": .string("ScaledDense"),
                                                 "config": .dictionary(["units": .int(3), "scale_mode": .string("log")])])
        #expect(throws: KerasInteropError.unsupportedOption(file: "m.json", layer: 1, className: "ScaledDense", option: "scale_mode",
                                                             reason: "only 'none' is implemented")) {
            try KerasModelSpec(json: Self.encoded(Self.model(fixed)), file: "m.json", registry: registry)
        }
        let missing = KerasConfigValue.dictionary(["class_name": .string("ScaledDense"), "config": .dictionary([:])])
        #expect(throws: KerasInteropError.self) {
            try KerasModelSpec(json: Self.encoded(Self.model(missing)), file: "m.json", registry: registry)
        }
        // Without the plugin, the class is unknown.
        #expect(throws: KerasInteropError.self) {
            try KerasModelSpec(json: Self.encoded(Self.model(layer)), file: "m.json")
        }
    }

    @Test("the standard catalog is exactly the standard layer declarations with a Keras class")
    func standardCatalogFromDeclarations() throws {
        var registry = PluginRegistry()
        try StandardPlugins.register(into: &registry)
        let declared = registry.declarations(of: .layer).compactMap { d in d.keras.map { ($0.className, d.name) } }
        let catalog = KerasLayerCatalog(registry: registry)
        for (className, name) in declared {
            #expect(catalog.rule(forClass: className)?.registryName == name)
        }
        #expect(Set(declared.map(\.0)).isSuperset(of: ["Dense", "Activation", "Dropout", "Flatten", "LayerNormalization", "Embedding"]))
        // Output shapes come from the layers' own shape plans.
        #expect(catalog.rule(forClass: "Dense")?.outputShape([7], ["units": .int(5)]) == [5])
        #expect(catalog.rule(forClass: "Flatten")?.outputShape([2, 3], [:]) == [6])
        #expect(catalog.rule(forClass: "Embedding")?.outputShape([9], ["input_dim": .int(50), "output_dim": .int(4)]) == [9, 4])
    }
}
