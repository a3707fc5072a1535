import PrivateLearning
import StandardPlugins
import Testing

@Suite("Core: plugin registry")
struct CoreRegistryTests {
    func standard() throws -> PluginRegistry {
        var r = PluginRegistry()
        try StandardPlugins.register(into: &r)
        return r
    }

    @Test("standard names are registered under their Keras spellings")
    func names() throws {
        let r = try standard()
        #expect(r.layerNames.contains("dense") && r.layerNames.contains("activation"))
        #expect(r.lossNames.contains("binary_crossentropy") && r.lossNames.contains("mse"))
        #expect(r.optimizerNames.contains("adam") && r.optimizerNames.contains("sgd"))
        #expect(r.parameterDescriptions(of: .layer, "dense")?.map(\.name).contains("units") == true)
    }

    @Test("factories build configured plugins")
    func build() throws {
        let r = try standard()
        let d = try #require(try r.makeLayer("dense", parameters: ["units": .int(7), "activation": .string("relu")]) as? Dense)
        #expect(d.units == 7 && d.activation == .relu)
        let l = try #require(try r.makeLoss("binary_crossentropy", parameters: ["from_logits": .bool(true)]) as? BinaryCrossentropy)
        #expect(l.fromLogits)
        let o = try #require(try r.makeOptimizer("adam", parameters: ["learning_rate": .double(0.05)]) as? Adam)
        #expect(o.learningRate == 0.05)
    }

    @Test("unknown names suggest the nearest registered one",
          arguments: [("dens", "dense"), ("Dense", "dense"), ("binary_crossentrophy", "binary_crossentropy")])
    func suggestion(typo: String, expected: String) throws {
        let r = try standard()
        #expect(r.suggestion(for: typo) == expected)
    }

    @Test("errors name the plugin and the parameter", arguments: [
        ("dense", PluginParameters(), PrivateLearningError.missingParameter(plugin: "dense", parameter: "units")),
        ("dense", ["units": .string("x")], .invalidParameter(plugin: "dense", parameter: "units", expected: "an integer > 0")),
        ("dense", ["units": .int(0)], .invalidParameter(plugin: "dense", parameter: "units", expected: "an integer > 0")),
        ("dense", ["units": .int(2), "unit": .int(3)], .unknownParameter(plugin: "dense", parameter: "unit", suggestion: "units")),
        ("dens", ["units": .int(2)], .unknownPlugin(kind: "layer", name: "dens", suggestion: "dense")),
    ])
    func layerErrors(name: String, params: PluginParameters, expected: PrivateLearningError) throws {
        let r = try standard()
        #expect(throws: expected) { _ = try r.makeLayer(name, parameters: params) }
    }

    @Test("a negative learning rate is refused by name")
    func badLearningRate() throws {
        let r = try standard()
        #expect(throws: PrivateLearningError.invalidParameter(plugin: "sgd", parameter: "learning_rate", expected: "a number > 0.0")) {
            _ = try r.makeOptimizer("sgd", parameters: ["learning_rate": .double(-1)])
        }
    }

    @Test("registering a name twice throws unless replacing")
    func duplicates() throws {
        var r = try standard()
        #expect(throws: PrivateLearningError.duplicatePlugin(kind: "layer", name: "dense")) {
            try r.registerLayer("dense") { _ in Dense(1) }
        }
        try r.registerLayer("dense", replacing: true) { _ in Dense(1) }
        #expect(try (r.makeLayer("dense") as? Dense)?.units == 1)
    }

    @Test("error messages are actionable")
    func messages() {
        #expect(PrivateLearningError.unknownPlugin(kind: "layer", name: "dens", suggestion: "dense").description
                == "unknown layer 'dens'. Did you mean 'dense'?")
    }
}
