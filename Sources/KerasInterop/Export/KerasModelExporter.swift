import Foundation
import PrivateLearning

/// Writes dpflow `Sequential` models as Keras model JSON + `.npz` weights.
///
/// A user rebuilds the model with
/// ```python
/// model = keras.models.model_from_json(open("model.json").read())
/// model.set_weights(list(np.load("weights.npz").values()))
/// ```
/// Exporting a model trained with DP-SGD is post-processing: it costs no privacy budget. The
/// files hold the configuration and the weights only, never training data.
public enum KerasModelExporter {
    /// The Keras configuration of a dpflow model.
    /// - Parameters:
    ///   - template: an imported spec whose model and layer names are kept when its layers
    ///     match the model's; nil names layers the way Keras does (`dense`, `dense_1`, …).
    /// - Throws: `KerasInteropError.unsupportedLayerForExport` for a layer whose configuration
    ///   cannot be written as Keras JSON.
    ///   - registry: the plugin registry whose layer declarations give the Keras class names (default: the
    ///     standard plugins).
    public static func spec(of model: Sequential, name: String? = nil, template: KerasModelSpec? = nil,
                            registry: PluginRegistry? = nil) throws -> KerasModelSpec {
        let catalog = registry.map(KerasLayerCatalog.init(registry:)) ?? .standard
        let inputShapes = [model.inputShape] + model.layerOutputShapes.dropLast()
        var layers: [KerasLayerSpec] = []
        for (index, (layer, inputShape)) in zip(model.layers, inputShapes).enumerated() {
            let rule = catalog.rule(forRegistryName: layer.typeName)
            let className = rule?.className ?? KerasNaming.camelCase(layer.typeName)
            var parameters: [String: KerasConfigValue] = [:]
            for (key, value) in layer.configuration where value != .null && key != "name" {
                if let rule, !rule.options.contains(key) { continue }
                // A layer keeps numbers such as epsilon as Float: write the shortest decimal of that Float (1e-3, not
                // 0.0010000000474974513), which is what Keras wrote and reads back to the same Float.
                if case let .double(d) = value, d.isFinite, let shortest = Double(String(Float(d))), Float(shortest) == Float(d) {
                    parameters[key] = .double(shortest)
                } else {
                    parameters[key] = KerasConfigValue(value)
                }
            }
            if let activation = parameters["activation"]?.stringValue, ActivationFunction(name: activation) == nil {
                throw KerasInteropError.unsupportedLayerForExport(layer: index, typeName: layer.typeName,
                                                                 reason: "activation '\(activation)' has no Keras equivalent")
            }
            layers.append(KerasLayerSpec(index: index + 1, className: className, name: nil,
                                         registryName: layer.typeName, parameters: parameters, inputShape: inputShape))
        }
        var spec = KerasModelSpec(generation: template?.generation ?? .keras3, name: name ?? template?.name ?? "sequential",
                                  inputShape: model.inputShape, layers: layers, kerasVersion: nil, file: "")
        if let template, template.layers.map(\.registryName) == layers.map(\.registryName) {
            for i in spec.layers.indices { spec.layers[i].name = template.layers[i].name }
        }
        return spec
    }

    /// Writes `model` as Keras JSON and `.npz` weights (arrays in `get_weights()` order,
    /// float32, entries `arr_0.npy` …).
    /// - Parameters:
    ///   - generation: Keras spelling (`keras2` for tf.keras 2.x / tf-keras, `keras3` for keras 3.x).
    ///   - json: destination of the model JSON.
    ///   - weights: destination of the `.npz`.
    ///   - template: an imported spec whose names are kept (see `spec(of:name:template:)`).
    /// - Throws: `KerasInteropError.unsupportedLayerForExport`, `.writeFailed`.
    public static func write(model: Sequential, generation: KerasGeneration = .keras3, json: URL, weights: URL,
                             name: String? = nil, template: KerasModelSpec? = nil) throws {
        let spec = try spec(of: model, name: name, template: template)
        let data = try spec.kerasJSON(generation: generation)
        do {
            try data.write(to: json, options: .atomic)
        } catch {
            throw KerasInteropError.writeFailed(file: json.path, reason: error.localizedDescription)
        }
        let arrays = model.layers.flatMap(\.parameters).map { NumpyArray(shape: $0.shape, values: $0.storage) }
        try NumpyArchive(arrays: arrays).write(to: weights)
    }

    /// Writes `<baseName>.json` and `<baseName>.weights.npz` into `directory` — the entry
    /// point for a pipeline's `export: {keras: model, format: keras2|keras3}`.
    /// - Parameters:
    ///   - model: the (trained) model to write.
    ///   - imported: the import the model came from, if any; its generation is the default
    ///     format and its model and layer names are kept.
    ///   - format: Keras spelling to write; nil means the imported generation, or Keras 3 for
    ///     a model declared in dpflow.
    ///   - directory: existing output folder.
    /// - Returns: the files written and the generation used.
    /// - Throws: `KerasInteropError.unsupportedLayerForExport`, `.writeFailed`.
    @discardableResult
    public static func export(model: Sequential, importedFrom imported: ImportedKerasModel? = nil,
                              format: KerasGeneration? = nil, into directory: URL,
                              baseName: String = "model") throws -> KerasExportFiles {
        let generation = format ?? imported?.generation ?? .keras3
        let files = KerasExportFiles(json: directory.appendingPathComponent("\(baseName).json"),
                                     weights: directory.appendingPathComponent("\(baseName).weights.npz"),
                                     generation: generation)
        try write(model: model, generation: generation, json: files.json, weights: files.weights,
                  template: imported?.spec)
        return files
    }
}
