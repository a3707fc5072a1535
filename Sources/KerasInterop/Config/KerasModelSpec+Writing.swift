import Foundation

extension KerasModelSpec {
    /// The model as Keras JSON that `keras.models.model_from_json` of the given generation
    /// reads back (`keras2`: tf.keras / tf-keras 2.x; `keras3`: keras 3.x).
    ///
    /// Initializer names become Keras initializer objects, options left out take Keras'
    /// defaults, and layers without a name get Keras-style ones (`dense`, `dense_1`, …).
    /// Keys are sorted, so equal specs give equal bytes.
    public func kerasJSON(generation: KerasGeneration) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(kerasConfig(generation: generation))
    }

    /// The JSON tree written by `kerasJSON(generation:)`.
    public func kerasConfig(generation: KerasGeneration) -> KerasConfigValue {
        let writer = KerasConfigWriter(generation: generation)
        var usedNames: [String: Int] = [:]
        func uniqueName(_ proposed: String?, className: String) -> String {
            let base = proposed ?? KerasNaming.snakeCase(className)
            let seen = usedNames[base, default: 0]
            usedNames[base] = seen + 1
            return seen == 0 ? base : "\(base)_\(seen)"
        }

        var layers: [KerasConfigValue] = [writer.inputLayer(inputShape: inputShape, name: uniqueName("input_layer", className: "InputLayer"))]
        var shape: [Int]? = inputShape
        for layer in self.layers {
            let name = uniqueName(layer.name, className: layer.className)
            layers.append(writer.layer(layer, name: name, inputShape: layer.inputShape ?? shape))
            let rule = KerasLayerCatalog.standard.rule(forClass: layer.className)
            shape = (layer.inputShape ?? shape).flatMap { s in (rule?.outputShape ?? { _, _ in nil })(s, layer.parameters) }
        }
        return writer.model(name: name ?? "sequential", layers: layers, inputShape: inputShape)
    }
}

/// Spells model, layer, initializer and dtype objects the way each Keras generation does.
struct KerasConfigWriter {
    var generation: KerasGeneration

    var keras3: Bool { generation == .keras3 }

    func batchShape(_ shape: [Int]) -> KerasConfigValue { .list([.null] + shape.map { .int($0) }) }

    var dtype: KerasConfigValue {
        keras3
            ? .dictionary(["module": .string("keras"), "class_name": .string("DTypePolicy"),
                           "config": .dictionary(["name": .string("float32")]), "registered_name": .null])
            : .string("float32")
    }

    /// `{class_name, config}` plus Keras 3's `module` and `registered_name`.
    func object(className: String, module: String, config: [String: KerasConfigValue],
                extra: [String: KerasConfigValue] = [:]) -> KerasConfigValue {
        var members: [String: KerasConfigValue] = ["class_name": .string(className), "config": .dictionary(config)]
        if keras3 {
            members["module"] = .string(module)
            members["registered_name"] = .null
            members.merge(extra) { $1 }
        }
        return .dictionary(members)
    }

    func model(name: String, layers: [KerasConfigValue], inputShape: [Int]) -> KerasConfigValue {
        if keras3 {
            return object(className: "Sequential", module: "keras",
                          config: ["name": .string(name), "trainable": .bool(true), "dtype": dtype,
                                   "layers": .list(layers), "build_input_shape": batchShape(inputShape)],
                          extra: ["build_config": .dictionary(["input_shape": batchShape(inputShape)])])
        }
        return .dictionary(["class_name": .string("Sequential"),
                            "config": .dictionary(["name": .string(name), "layers": .list(layers)]),
                            "keras_version": .string("2.15.0"), "backend": .string("tensorflow")])
    }

    func inputLayer(inputShape: [Int], name: String) -> KerasConfigValue {
        var config: [String: KerasConfigValue] = ["dtype": .string("float32"), "sparse": .bool(false),
                                                  "ragged": .bool(false), "name": .string(name)]
        config[keras3 ? "batch_shape" : "batch_input_shape"] = batchShape(inputShape)
        return object(className: "InputLayer", module: "keras.layers", config: config)
    }

    func layer(_ layer: KerasLayerSpec, name: String, inputShape: [Int]?) -> KerasConfigValue {
        var config: [String: KerasConfigValue] = ["name": .string(name), "trainable": .bool(true), "dtype": dtype]
        if layer.className == KerasBidirectional.className {
            // Keras nests the wrapped layer; dpflow's options are flat (KerasBidirectional).
            let (innerClass, options) = KerasBidirectional.split(layer.parameters)
            var inner: [String: KerasConfigValue] = ["name": .string("forward_" + name), "trainable": .bool(true), "dtype": dtype]
            for (key, value) in options { inner[key] = convert(value, key: key) }
            config["layer"] = object(className: innerClass, module: "keras.layers", config: inner)
            config["merge_mode"] = .string("concat")
            var extra: [String: KerasConfigValue] = [:]
            if let inputShape { extra["build_config"] = .dictionary(["input_shape": batchShape(inputShape)]) }
            return object(className: layer.className, module: "keras.layers", config: config, extra: extra)
        }
        for (key, value) in layer.parameters {
            config[key] = convert(value, key: key)
        }
        if layer.className == "LayerNormalization" { config["axis"] = .int(-1) }
        var extra: [String: KerasConfigValue] = [:]
        if let inputShape { extra["build_config"] = .dictionary(["input_shape": batchShape(inputShape)]) }
        return object(className: layer.className, module: "keras.layers", config: config, extra: extra)
    }

    func convert(_ value: KerasConfigValue, key: String) -> KerasConfigValue {
        if key.hasSuffix("_initializer"), value.stringValue == "uniform" {
            return object(className: "RandomUniform", module: "keras.initializers",
                          config: ["minval": .double(-0.05), "maxval": .double(0.05), "seed": .null])
        }
        if key.hasSuffix("_initializer"), let name = value.stringValue {
            var config: [String: KerasConfigValue] = [:]
            if !["zeros", "ones"].contains(name) { config["seed"] = .null }
            return object(className: KerasNaming.camelCase(name), module: "keras.initializers", config: config)
        }
        if key == "activation", let name = value.stringValue {
            // Keras 2 knows SiLU as "swish"; Keras 3 writes "silu".
            if name == "silu" || name == "swish" { return .string(keras3 ? "silu" : "swish") }
        }
        return value
    }
}
