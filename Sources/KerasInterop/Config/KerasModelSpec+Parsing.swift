import Foundation
import PrivateLearning

extension KerasModelSpec {
    /// Reads and checks the model JSON at `url` (what `model.to_json()` returns).
    /// - Parameters:
    ///   - layerNames: registry layer names available (`PluginRegistry.layerNames`); a class
    ///     is accepted when it maps to one of them. Nil accepts every class dpflow knows.
    /// - Throws: `KerasInteropError` naming the file, the layer position, the class and the option.
    ///   - registry: the plugin registry whose layer declarations give the Keras classes (default: the standard
    ///     plugins); when given without `layerNames`, its layer names are the ones available.
    public init(contentsOf url: URL, layerNames: Set<String>? = nil, registry: PluginRegistry? = nil) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw KerasInteropError.invalidModelJSON(file: url.path, reason: "cannot read the file")
        }
        try self.init(json: data, file: url.path, layerNames: layerNames, registry: registry)
    }

    /// Parses and checks a Keras `Sequential` model JSON, Keras 2 or Keras 3 spelling.
    /// - Parameters:
    ///   - json: the bytes of `model.to_json()`.
    ///   - file: name used in error messages.
    ///   - layerNames: registry layer names available; nil accepts every class dpflow knows.
    /// - Throws: `KerasInteropError.invalidModelJSON`, `.unsupportedModelClass`,
    ///   `.unknownLayerClass`, `.refusedLayerClass`, `.unsupportedOption`, `.invalidOption`,
    ///   `.missingInputShape`.
    public init(json: Data, file: String, layerNames: Set<String>? = nil, registry: PluginRegistry? = nil) throws {
        let root: KerasConfigValue
        do {
            root = try JSONDecoder().decode(KerasConfigValue.self, from: json)
        } catch {
            throw KerasInteropError.invalidModelJSON(file: Self.syntaxErrorLocation(in: json).map { "\(file):\($0.line):\($0.column)" } ?? file,
                                                     reason: "malformed JSON")
        }
        guard root.dictionaryValue != nil else {
            throw KerasInteropError.invalidModelJSON(file: file, reason: "the top level is not a JSON object")
        }
        guard let className = root["class_name"]?.stringValue else {
            throw KerasInteropError.invalidModelJSON(file: file, reason: "missing 'class_name'")
        }
        guard className == "Sequential" else {
            throw KerasInteropError.unsupportedModelClass(file: file, className: className)
        }
        let config = root["config"]
        let layerValues: [KerasConfigValue]
        if let list = config?.listValue {
            layerValues = list // Keras before 2.2 wrote the layer list as the config itself
        } else if let list = config?["layers"]?.listValue {
            layerValues = list
        } else {
            throw KerasInteropError.invalidModelJSON(file: file, reason: "missing 'config.layers'")
        }

        self.file = file
        self.name = config?["name"]?.stringValue
        self.kerasVersion = root["keras_version"]?.stringValue
        self.generation = Self.detectGeneration(root: root, layers: layerValues)

        var parser = LayerListParser(file: file, layerNames: layerNames ?? registry.map { Set($0.layerNames) },
                                     catalog: registry.map(KerasLayerCatalog.init(registry:)) ?? .standard)
        let (inputShape, layers) = try parser.parse(layerValues, modelConfig: config, root: root)
        self.inputShape = inputShape
        self.layers = layers
    }

    static func detectGeneration(root: KerasConfigValue, layers: [KerasConfigValue]) -> KerasGeneration {
        if let version = root["keras_version"]?.stringValue {
            return version.hasPrefix("3") ? .keras3 : .keras2
        }
        if root["module"] != nil { return .keras3 }
        for layer in layers {
            if layer["config"]?["batch_input_shape"] != nil { return .keras2 }
            if layer["config"]?["batch_shape"] != nil { return .keras3 }
        }
        return .keras3
    }

    /// Line and column (1-based) of a JSON syntax error, from Foundation's "around character N".
    static func syntaxErrorLocation(in json: Data) -> (line: Int, column: Int)? {
        do {
            _ = try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed])
            return nil
        } catch {
            let text = "\(error) \((error as NSError).userInfo)"
            guard let range = text.range(of: "around character ") ?? text.range(of: "around line ") else { return nil }
            let digits = text[range.upperBound...].prefix { $0.isNumber }
            guard let offset = Int(digits) else { return nil }
            var line = 1, column = 1
            for byte in json.prefix(offset) {
                if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
            }
            return (line, column)
        }
    }
}

/// Walks `config.layers`, resolving classes and checking options.
private struct LayerListParser {
    let file: String
    let layerNames: Set<String>?
    let catalog: KerasLayerCatalog

    func unsupported(_ index: Int, _ className: String, _ option: String, _ reason: String) -> KerasInteropError {
        .unsupportedOption(file: file, layer: index, className: className, option: option, reason: reason)
    }

    func invalid(_ index: Int, _ className: String, _ option: String, _ reason: String) -> KerasInteropError {
        .invalidOption(file: file, layer: index, className: className, option: option, reason: reason)
    }

    mutating func parse(_ values: [KerasConfigValue], modelConfig: KerasConfigValue?,
                        root: KerasConfigValue) throws -> ([Int], [KerasLayerSpec]) {
        var inputShape: [Int]?
        var specs: [KerasLayerSpec] = []
        var shape: [Int]?
        for (index, value) in values.enumerated() {
            guard let className = value["class_name"]?.stringValue else {
                throw KerasInteropError.invalidModelJSON(file: file, reason: "layers[\(index)] has no 'class_name'")
            }
            var config = value["config"]?.dictionaryValue ?? [:]
            if className == KerasBidirectional.className {
                do { config = try KerasBidirectional.flatten(config) } catch {
                    guard case .option(let option, let reason) = error else { throw error }
                    throw unsupported(index, className, option, reason)
                }
            }
            if className == "InputLayer" {
                guard index == 0 else {
                    throw KerasInteropError.refusedLayerClass(file: file, layer: index, className: className,
                                                              reason: "an InputLayer is only supported as the first layer")
                }
                inputShape = try inputLayerShape(config, index: index)
                shape = inputShape
                continue
            }
            if inputShape == nil, specs.isEmpty { // Keras 2 records batch_input_shape on the first layer
                if let batchShape = config["batch_input_shape"] ?? config["batch_shape"] {
                    inputShape = try perExampleShape(batchShape, index: index, className: className, option: "batch_input_shape")
                    shape = inputShape
                }
            }
            if let recorded = value["build_config"]?["input_shape"], let s = try? perExampleShape(
                recorded, index: index, className: className, option: "build_config.input_shape") {
                shape = s
            }
            let spec = try layerSpec(className: className, index: index, config: config, inputShape: shape)
            shape = shape.flatMap { s in
                (catalog.rule(forClass: className)?.outputShape ?? { _, _ in nil })(s, spec.parameters)
            }
            specs.append(spec)
        }
        if inputShape == nil {
            for candidate in [modelConfig?["build_input_shape"], root["build_config"]?["input_shape"]] {
                if let candidate, candidate != .null {
                    inputShape = try perExampleShape(candidate, index: 0, className: "Sequential", option: "build_input_shape")
                    break
                }
            }
        }
        guard let inputShape else { throw KerasInteropError.missingInputShape(file: file) }
        if specs.first?.inputShape == nil, !specs.isEmpty { specs[0].inputShape = inputShape }
        return (inputShape, specs)
    }

    func inputLayerShape(_ config: [String: KerasConfigValue], index: Int) throws -> [Int] {
        for (option, allowed) in [("sparse", false), ("ragged", false)] {
            if let value = config[option], value != .null, value != .bool(allowed) {
                throw unsupported(index, "InputLayer", option, "only dense float inputs are supported")
            }
        }
        try checkDType(config["dtype"], index: index, className: "InputLayer")
        if let batchShape = config["batch_input_shape"] ?? config["batch_shape"], batchShape != .null {
            return try perExampleShape(batchShape, index: index, className: "InputLayer", option: "batch_shape")
        }
        if let shape = config["input_shape"] ?? config["shape"], let dims = shape.listValue {
            return try perExampleShape(.list([.null] + dims), index: index, className: "InputLayer", option: "input_shape")
        }
        throw invalid(index, "InputLayer", "batch_shape", "missing; the InputLayer records no shape")
    }

    /// `[null, 30]` → `[30]`; every per-example dimension must be a positive integer.
    func perExampleShape(_ value: KerasConfigValue, index: Int, className: String, option: String) throws -> [Int] {
        guard let dims = value.listValue, !dims.isEmpty else {
            throw invalid(index, className, option, "expected a list like [null, 30]")
        }
        return try dims.dropFirst().map { dim in
            guard let size = dim.intValue else {
                throw unsupported(index, className, option, "variable-size dimensions (null) are supported only for the batch")
            }
            guard size > 0 else { throw invalid(index, className, option, "dimensions must be positive") }
            return size
        }
    }

    func checkDType(_ value: KerasConfigValue?, index: Int, className: String) throws {
        guard let value, value != .null else { return }
        let name = value.stringValue ?? value["config"]?["name"]?.stringValue
        guard name == "float32" else {
            throw unsupported(index, className, "dtype", "dpflow computes in float32; got '\(name ?? value.typeName)'")
        }
    }

    func layerSpec(className: String, index: Int, config: [String: KerasConfigValue],
                   inputShape: [Int]?) throws -> KerasLayerSpec {
        if let reason = KerasLayerCatalog.refused[className] {
            throw KerasInteropError.refusedLayerClass(file: file, layer: index, className: className, reason: reason)
        }
        let rule = catalog.rule(forClass: className)
        let registryName = rule?.registryName ?? KerasNaming.snakeCase(className)
        let available = layerNames.map { $0.contains(registryName) } ?? (rule != nil)
        guard available else {
            var known = catalog.rules.map(\.className)
            if let layerNames { known = known.filter { layerNames.contains(KerasNaming.snakeCase($0)) } + layerNames.map(KerasNaming.camelCase) }
            throw KerasInteropError.unknownLayerClass(file: file, layer: index, className: className,
                                                      suggestion: KerasNaming.nearest(to: className, in: Array(Set(known)).sorted()))
        }
        try checkDType(config["dtype"], index: index, className: className)
        if config["trainable"] == .bool(false) {
            throw unsupported(index, className, "trainable", "frozen layers are not implemented; DP-SGD trains every layer (set trainable=True or drop the layer)")
        }

        var parameters: [String: KerasConfigValue] = [:]
        for key in config.keys.sorted() {
            let value = config[key]!
            if KerasLayerCatalog.metadata.contains(key) { continue }
            if let fixed = rule?.fixed[key] {
                guard fixed.allowed.contains(value) else { throw unsupported(index, className, key, fixed.reason) }
                continue
            }
            if key.hasSuffix("_regularizer") || key.hasSuffix("_constraint") {
                guard value == .null else {
                    throw unsupported(index, className, key, "regularizers and constraints are not implemented; remove it before model.to_json()")
                }
                continue
            }
            if className == "LayerNormalization", key == "axis" {
                try checkLastAxis(value, index: index, inputShape: inputShape)
                continue
            }
            if value == .null { continue } // a feature left off (lora_rank, quantization_config …)
            if let rule, !rule.options.contains(key) {
                throw unsupported(index, className, key, "dpflow's \(rule.registryName) layer has no such option; it must be null")
            }
            if let accepted = rule?.choices[key] {
                try checkChoice(value, accepted: accepted, key: key, index: index, className: className)
            }
            parameters[key] = try convert(value, key: key, index: index, className: className)
        }
        if let rule {
            for required in rule.required {
                if parameters[required] == nil, (config[required] ?? .null) == .null {
                    throw invalid(index, className, required, "missing")
                }
            }
        }
        if className == "Activation", parameters["activation"] == nil {
            throw invalid(index, className, "activation", "missing")
        }
        return KerasLayerSpec(index: index, className: className, name: config["name"]?.stringValue,
                              registryName: registryName, parameters: parameters, inputShape: inputShape)
    }

    /// Initializer objects become snake-case names; activations are checked.
    func convert(_ value: KerasConfigValue, key: String, index: Int, className: String) throws -> KerasConfigValue {
        if key.hasSuffix("_initializer") {
            if let name = value.stringValue { return .string(KerasNaming.snakeCase(name)) }
            guard let initializer = value["class_name"]?.stringValue else {
                throw invalid(index, className, key, "expected an initializer object with a class_name")
            }
            // Keras' "uniform" (the Embedding default) is RandomUniform(-0.05, 0.05).
            if initializer == "RandomUniform",
               (value["config"]?["minval"] ?? .double(-0.05)) == .double(-0.05),
               (value["config"]?["maxval"] ?? .double(0.05)) == .double(0.05) {
                return .string("uniform")
            }
            return .string(KerasNaming.snakeCase(initializer))
        }
        if key == "activation" {
            guard let name = value.stringValue else {
                let custom = value["class_name"]?.stringValue ?? value["config"]?.stringValue ?? value.typeName
                throw unsupported(index, className, key, "custom activation '\(custom)' is not implemented; use one of \(KerasLayerCatalog.activationNames.joined(separator: ", "))")
            }
            guard let function = ActivationFunction(name: name) else {
                throw unsupported(index, className, key, "activation '\(name)' is not implemented; use one of \(KerasLayerCatalog.activationNames.joined(separator: ", "))")
            }
            return .string(function.rawValue)
        }
        return value
    }

    /// A string option (`padding`) must be one the dpflow layer implements: Keras' `causal` padding of `Conv1D`,
    /// for example, is refused here with the accepted spellings instead of failing later in the layer factory.
    func checkChoice(_ value: KerasConfigValue, accepted: [String], key: String, index: Int, className: String) throws {
        guard let text = value.stringValue else {
            throw invalid(index, className, key, "expected a string (one of \(accepted.joined(separator: ", "))), got a value of type \(value.typeName)")
        }
        guard accepted.contains(where: { $0.lowercased() == text.lowercased() }) else {
            throw unsupported(index, className, key, "'\(text)' is not implemented; use one of \(accepted.joined(separator: ", "))")
        }
    }

    /// LayerNormalization must normalise over the last axis only (Keras 2 records it as a
    /// positive index, Keras 3 as -1).
    func checkLastAxis(_ value: KerasConfigValue, index: Int, inputShape: [Int]?) throws {
        let axes = value.listValue ?? [value]
        let rank = (inputShape?.count ?? 1) + 1
        guard axes.count == 1, let axis = axes[0].intValue, axis == -1 || axis == rank - 1 else {
            throw unsupported(index, "LayerNormalization", "axis", "dpflow normalises over the last axis only")
        }
    }
}
