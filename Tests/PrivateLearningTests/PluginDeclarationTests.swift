import PrivateLearning
import StandardPlugins
import Testing

/// A plugin declared once: the registry derives the parameter checks, defaults and listings from it.
@Suite("Plugins: declarations")
struct PluginDeclarationTests {
    static let declaration = PluginDeclaration(
        layer: "probe", summary: "test layer",
        parameters: [
            .int("units", min: 1, "outputs"),
            .number("rate", .unitOpen, default: 0.5, "a rate"),
            .choice("mode", ["fast", "exact"], aliases: ["quick"], default: "exact", "how"),
            .bool("flag", default: false, "a flag"),
            .fixed("legacy", [.bool(false)], expected: "false (not implemented)"),
        ])

    /// Registers `probe`; its factory records the parameters it was given.
    static func registry() throws -> PluginRegistry {
        var registry = PluginRegistry()
        try registry.register(declaration, layer: { p in
            // Defaults are filled in before the factory runs.
            precondition(p.has("rate") && p.has("mode") && p.has("flag"))
            return Dense(try p.int("units"), useBias: !(try p.bool("flag")))
        })
        return registry
    }

    @Test("unknown keys get the nearest declared name; Keras bookkeeping keys are ignored")
    func unknownKeys() throws {
        let registry = try Self.registry()
        #expect(throws: PrivateLearningError.unknownParameter(plugin: "probe", parameter: "unit", suggestion: "units")) {
            try registry.makeLayer("probe", parameters: ["unit": .int(2)])
        }
        _ = try registry.makeLayer("probe", parameters: ["units": .int(2), "name": .string("p")])
    }

    @Test("types, ranges, choices and fixed values are checked; the error says what is accepted",
          arguments: [
            (["units": .int(0)], "units", "an integer > 0"),
            (["units": .string("2")], "units", "an integer > 0"),
            (["units": .int(2), "rate": .double(1)], "rate", "a number in [0, 1)"),
            (["units": .int(2), "rate": .double(.nan)], "rate", "a number in [0, 1)"),
            (["units": .int(2), "mode": .string("slow")], "mode", "one of fast, exact"),
            (["units": .int(2), "flag": .int(1)], "flag", "true or false"),
            (["units": .int(2), "legacy": .bool(true)], "legacy", "false (not implemented)"),
          ] as [(PluginParameters, String, String)])
    func invalid(_ parameters: PluginParameters, _ name: String, _ expected: String) throws {
        let registry = try Self.registry()
        #expect(throws: PrivateLearningError.invalidParameter(plugin: "probe", parameter: name, expected: expected)) {
            try registry.makeLayer("probe", parameters: parameters)
        }
    }

    @Test("a required parameter is required; aliases of choices and integral doubles are accepted")
    func requiredAndAccepted() throws {
        let registry = try Self.registry()
        #expect(throws: PrivateLearningError.missingParameter(plugin: "probe", parameter: "units")) {
            try registry.makeLayer("probe", parameters: [:])
        }
        let layer = try registry.makeLayer("probe", parameters: ["units": .double(3), "mode": .string("QUICK"), "flag": .bool(true)])
        #expect((layer as? Dense)?.units == 3 && (layer as? Dense)?.useBias == false)
    }

    @Test("listings come from the declaration: hidden keys are not listed, defaults and ranges are")
    func listings() throws {
        let registry = try Self.registry()
        let described = try #require(registry.parameterDescriptions(of: .layer, "probe"))
        #expect(described.map(\.name) == ["units", "rate", "mode", "flag"])
        #expect(described[0].type == "int > 0" && described[0].defaultValue == nil)
        #expect(described[1].type == "number in [0, 1)" && described[1].defaultValue == "0.5")
        #expect(described[2].type == "fast|exact")
        #expect(registry.summary(of: .layer, "probe") == "test layer")
    }

    @Test("a declaration of the wrong kind, or a loss without its target encoding, is refused")
    func refusedDeclarations() {
        var registry = PluginRegistry()
        #expect(throws: PrivateLearningError.self) {
            try registry.register(Self.declaration, loss: { _ in MeanSquaredError() })
        }
        var noEncoding = PluginDeclaration(loss: "x", summary: "", targetEncoding: .real)
        noEncoding.targetEncoding = nil
        #expect(throws: PrivateLearningError.self) { try registry.register(noEncoding, loss: { _ in MeanSquaredError() }) }
        #expect(registry.lossNames.isEmpty && registry.layerNames.isEmpty)
    }

    @Test("aliases resolve to the same declaration and target encoding")
    func aliases() throws {
        var registry = PluginRegistry()
        try StandardPlugins.register(into: &registry)
        #expect(registry.declaration(of: .loss, "mse")?.name == "mean_squared_error")
        #expect(registry.declarations(of: .loss).map(\.name).contains("mse") == false)
        #expect(registry.targetEncoding(ofLoss: "mae") == .real)
    }
}
