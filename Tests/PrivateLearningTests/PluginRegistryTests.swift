import PrivateLearning
import StandardPlugins
import Testing

/// Every name added by the standard plugin pack: construction with defaults, configuration
/// round trips, documentation, and typed errors that name the offending parameter.
@Suite("Plugins: registry")
struct PluginRegistryTests {
    static func standard() throws -> PluginRegistry {
        var r = PluginRegistry()
        try StandardPlugins.register(into: &r)
        return r
    }

    /// Minimal parameters of each layer (required ones only).
    static let layers: [(String, PluginParameters)] = [
        ("dropout", ["rate": .double(0.2)]), ("flatten", [:]), ("layer_normalization", [:]), ("batch_normalization", [:]),
        ("embedding", ["input_dim": .int(10), "output_dim": .int(4)]),
    ]
    static let losses = ["categorical_crossentropy", "sparse_categorical_crossentropy", "mean_absolute_error", "mae",
                         "huber", "huber_loss"]
    static let optimizers = ["adamw", "adagrad", "rmsprop"]

    @Test("new layers build with defaults, are documented, and rebuild from their configuration", arguments: layers)
    func layersBuild(name: String, params: PluginParameters) throws {
        let r = try Self.standard()
        let layer = try r.makeLayer(name, parameters: params)
        #expect(layer.typeName == name)
        #expect(!(r.summary(of: .layer, name) ?? "").isEmpty)
        #expect(r.parameterDescriptions(of: .layer, name) != nil)
        let rebuilt = try r.makeLayer(name, parameters: layer.configuration)
        #expect(rebuilt.configuration == layer.configuration)
    }

    @Test("new losses build with defaults and rebuild from their configuration", arguments: losses)
    func lossesBuild(name: String) throws {
        let r = try Self.standard()
        let loss = try r.makeLoss(name)
        #expect(!(r.summary(of: .loss, name) ?? "").isEmpty)
        let rebuilt = try r.makeLoss(loss.typeName, parameters: loss.configuration)
        #expect(rebuilt.configuration == loss.configuration && rebuilt.typeName == loss.typeName)
    }

    @Test("aliases resolve to the Keras long names")
    func aliases() throws {
        let r = try Self.standard()
        #expect(try r.makeLoss("mae").typeName == "mean_absolute_error")
        #expect(try r.makeLoss("huber_loss").typeName == "huber")
        #expect(r.summary(of: .loss, "mae") == "alias of mean_absolute_error")
    }

    @Test("new optimizers build with defaults and rebuild from their configuration", arguments: optimizers)
    func optimizersBuild(name: String) throws {
        let r = try Self.standard()
        let o = try r.makeOptimizer(name)
        #expect(o.typeName == name)
        #expect(try r.makeOptimizer(name, parameters: o.configuration).configuration == o.configuration)
        #expect(r.parameterDescriptions(of: .optimizer, name)?.contains { $0.name == "learning_rate" } == true)
    }

    @Test("configured parameters reach the plugin")
    func configured() throws {
        let r = try Self.standard()
        let ce = try #require(try r.makeLoss("categorical_crossentropy",
                                             parameters: ["from_logits": .bool(true), "label_smoothing": .double(0.1)]) as? CategoricalCrossentropy)
        #expect(ce.fromLogits && abs(ce.labelSmoothing - 0.1) < 1e-7)
        let sce = try #require(try r.makeLoss("sparse_categorical_crossentropy", parameters: ["from_logits": .bool(true)])
                                   as? SparseCategoricalCrossentropy)
        #expect(sce.fromLogits)
        #expect((try r.makeLoss("huber", parameters: ["delta": .int(2)]) as? Huber)?.delta == 2)
        #expect((try r.makeLoss("huber") as? Huber)?.delta == 1)
        let ln = try #require(try r.makeLayer("layer_normalization", parameters: ["epsilon": .double(1e-5), "center": .bool(false)])
                                  as? LayerNormalization)
        #expect(ln.epsilon == 1e-5 && !ln.center && ln.scale)
        #expect((try r.makeLayer("layer_normalization") as? LayerNormalization)?.epsilon == 1e-3)
        // Float settings are reported as the decimal the user wrote (Keras export compares JSON).
        #expect(try r.makeLayer("layer_normalization").configuration["epsilon"] == .double(0.001))
        #expect(try r.makeOptimizer("adamw").configuration["weight_decay"] == .double(0.004))
        #expect(try r.makeLayer("dropout", parameters: ["rate": .double(0.1)]).configuration["rate"] == .double(0.1))
        let d = try #require(try r.makeLayer("dropout", parameters: ["rate": .double(0.5), "seed": .int(9)]) as? Dropout)
        #expect(d.rate == 0.5 && d.seed == 9)
    }

    @Test("bad or missing layer parameters are refused by name", arguments: [
        ("dropout", PluginParameters(), PrivateLearningError.missingParameter(plugin: "dropout", parameter: "rate")),
        ("dropout", ["rate": .double(1)], .invalidParameter(plugin: "dropout", parameter: "rate", expected: "a number in [0, 1)")),
        ("dropout", ["rate": .double(-0.1)], .invalidParameter(plugin: "dropout", parameter: "rate", expected: "a number in [0, 1)")),
        ("dropout", ["rate": .string("half")], .invalidParameter(plugin: "dropout", parameter: "rate", expected: "a number in [0, 1)")),
        ("dropout", ["rate": .double(0.1), "noise_shape": .list([.int(1)])],
         .invalidParameter(plugin: "dropout", parameter: "noise_shape", expected: "null (every element is dropped independently)")),
        ("dropout", ["rate": .double(0.1), "rat": .int(1)], .unknownParameter(plugin: "dropout", parameter: "rat", suggestion: "rate")),
        ("flatten", ["data_format": .string("channels_first")],
         .invalidParameter(plugin: "flatten", parameter: "data_format", expected: "one of channels_last")),
        ("layer_normalization", ["epsilon": .double(0)],
         .invalidParameter(plugin: "layer_normalization", parameter: "epsilon", expected: "a number > 0.0")),
        ("layer_normalization", ["axis": .int(0)],
         .invalidParameter(plugin: "layer_normalization", parameter: "axis", expected: "-1 (the last axis)")),
        ("layer_normalization", ["center": .string("yes")],
         .invalidParameter(plugin: "layer_normalization", parameter: "center", expected: "true or false")),
        ("layer_normalization", ["gamma_initializer": .string("twos")],
         .invalidParameter(plugin: "layer_normalization", parameter: "gamma_initializer",
                           expected: "one of " + Initializer.allCases.map(\.rawValue).joined(separator: ", "))),
        ("batch_normalization", ["momentum": .double(2)],
         .invalidParameter(plugin: "batch_normalization", parameter: "momentum", expected: "a number in [0, 1]")),
        ("embedding", ["input_dim": .int(10)], .missingParameter(plugin: "embedding", parameter: "output_dim")),
        ("embedding", ["input_dim": .int(0), "output_dim": .int(2)],
         .invalidParameter(plugin: "embedding", parameter: "input_dim", expected: "an integer > 0")),
        ("embedding", ["input_dim": .int(3), "output_dim": .int(2), "mask_zero": .string("yes")],
         .invalidParameter(plugin: "embedding", parameter: "mask_zero", expected: "true or false")),
        ("layer_norm", [:], .unknownPlugin(kind: "layer", name: "layer_norm", suggestion: "layer_normalization")),
    ] as [(String, PluginParameters, PrivateLearningError)])
    func layerErrors(name: String, params: PluginParameters, expected: PrivateLearningError) throws {
        let r = try Self.standard()
        #expect(throws: expected) { _ = try r.makeLayer(name, parameters: params) }
    }

    @Test("bad loss parameters are refused by name", arguments: [
        ("categorical_crossentropy", ["from_logits": PluginParameter.string("true")],
         PrivateLearningError.invalidParameter(plugin: "categorical_crossentropy", parameter: "from_logits", expected: "true or false")),
        ("categorical_crossentropy", ["label_smoothing": .double(1.5)],
         .invalidParameter(plugin: "categorical_crossentropy", parameter: "label_smoothing", expected: "a number in [0, 1]")),
        ("sparse_categorical_crossentropy", ["from_logit": .bool(true)],
         .unknownParameter(plugin: "sparse_categorical_crossentropy", parameter: "from_logit", suggestion: "from_logits")),
        ("huber", ["delta": .double(0)], .invalidParameter(plugin: "huber", parameter: "delta", expected: "a number > 0.0")),
        ("mae", ["delta": .double(1)], .unknownParameter(plugin: "mean_absolute_error", parameter: "delta", suggestion: nil)),
        ("categorical_crossentropie", [:],
         .unknownPlugin(kind: "loss", name: "categorical_crossentropie", suggestion: "categorical_crossentropy")),
    ] as [(String, PluginParameters, PrivateLearningError)])
    func lossErrors(name: String, params: PluginParameters, expected: PrivateLearningError) throws {
        let r = try Self.standard()
        #expect(throws: expected) { _ = try r.makeLoss(name, parameters: params) }
    }
}
