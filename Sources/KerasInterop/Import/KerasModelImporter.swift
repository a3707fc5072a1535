import Foundation
import PrivateLearning

/// Rebuilds Keras `Sequential` models (`model.to_json()` + `numpy.savez(path, *model.get_weights())`)
/// as dpflow models, with layers made by a plugin registry.
///
/// ```swift
/// var registry = PluginRegistry()
/// try StandardPlugins.register(into: &registry)
/// let imported = try KerasModelImporter.load(json: jsonURL, weights: npzURL, registry: registry)
/// let dpModel = PrivateModel(model: imported.model, l2NormClip: 1.0, noiseMultiplier: 1.1)
/// ```
/// Importing reads no training data and has no privacy cost; the imported weights are treated
/// as public (they come from the user, not from the private data set).
public enum KerasModelImporter {
    /// Loads a Keras model JSON and, optionally, its weights.
    /// - Parameters:
    ///   - json: the file written from `model.to_json()` (Keras 2 or Keras 3).
    ///   - weights: a `.npz` from `numpy.savez(path, *model.get_weights())`; nil keeps the
    ///     layers' initial weights (drawn from `seed`).
    ///   - registry: the plugin registry that makes the layers (`StandardPlugins.register(into:)`
    ///     plus any third-party plugins); a Keras class `FooBar` maps to registry name `foo_bar`.
    ///   - seed: seeds initial weights (and dropout masks) of the built layers; nil draws them
    ///     from the system generator. Initial weights are data-independent: a seed has no
    ///     privacy cost. Loaded weights replace the initial ones.
    /// - Throws: `KerasInteropError` naming the file, the layer, the class and the option or
    ///   weight at fault.
    public static func load(json: URL, weights: URL?, registry: PluginRegistry,
                            seed: UInt64? = nil) throws -> ImportedKerasModel {
        let spec = try KerasModelSpec(contentsOf: json, registry: registry)
        // The model is built first (its size checked against the resource limits) so that the
        // archive's entries can be bounded by the parameter shapes before anything is inflated.
        let model = try buildModel(spec: spec, registry: registry, seed: seed, allowDefaultInitializers: weights != nil)
        let arrays = try weights.map { try NumpyArchive(contentsOf: $0, expectedElementCounts: expectedElementCounts(model)).arrays }
        if let arrays { try assign(arrays, to: model, spec: spec, file: weights?.path ?? "") }
        return ImportedKerasModel(model: model, generation: spec.generation, spec: spec, hasLoadedWeights: arrays != nil)
    }

    /// Resolves `kerasJSON` and `weights` against `baseDirectory` (a pipeline file's folder)
    /// and loads the model — the entry point for `train: {model: {keras_json:, weights:}}`.
    /// Absolute paths are used as given. See `load(json:weights:registry:seed:)`.
    /// - Throws: `KerasInteropError`.
    public static func load(kerasJSON: String, weights: String?, relativeTo baseDirectory: URL,
                            registry: PluginRegistry, seed: UInt64? = nil) throws -> ImportedKerasModel {
        try load(json: resolve(kerasJSON, baseDirectory), weights: weights.map { resolve($0, baseDirectory) },
                 registry: registry, seed: seed)
    }

    /// Checks a pipeline's `keras_json`/`weights` pair without training: the JSON parses, every
    /// layer builds from `registry`, the weights match, and the input fits `featureWidth`.
    /// For `dpflow validate`: returns every problem found (empty when the model is usable).
    /// - Parameters:
    ///   - featureWidth: number of feature columns the model will get; nil skips that check.
    public static func problems(kerasJSON: String, weights: String?, relativeTo baseDirectory: URL,
                                registry: PluginRegistry, featureWidth: Int?) -> [KerasInteropError] {
        var problems: [KerasInteropError] = []
        let jsonURL = resolve(kerasJSON, baseDirectory)
        var spec: KerasModelSpec?
        do {
            spec = try KerasModelSpec(contentsOf: jsonURL, registry: registry)
        } catch let error as KerasInteropError {
            problems.append(error)
        } catch {
            problems.append(.invalidModelJSON(file: jsonURL.path, reason: "\(error)"))
        }
        var model: Sequential?
        var modelProblem: KerasInteropError?
        if let spec {
            do {
                model = try buildModel(spec: spec, registry: registry, seed: nil, allowDefaultInitializers: weights != nil)
            } catch let error as KerasInteropError {
                modelProblem = error
            } catch {
                modelProblem = .layerConstructionFailed(file: spec.file, layer: 0, className: "Sequential", reason: "\(error)")
            }
        }
        var arrays: [NumpyArray]?
        if let weights {
            do {
                if let model {
                    arrays = try NumpyArchive(contentsOf: resolve(weights, baseDirectory),
                                              expectedElementCounts: expectedElementCounts(model)).arrays
                } else {
                    // No model to bound the arrays by: check the archive's directory, inflate nothing.
                    try NumpyArchive.checkStructure(contentsOf: resolve(weights, baseDirectory))
                }
            } catch let error as KerasInteropError {
                problems.append(error)
            } catch {
                problems.append(.invalidNumpyArchive(file: weights, reason: "\(error)"))
            }
        }
        guard let spec else { return problems }
        if let featureWidth, spec.inputShape.reduce(1, *) != featureWidth {
            problems.append(.inputWidthMismatch(file: spec.file, inputShape: spec.inputShape, featureWidth: featureWidth))
        }
        if let modelProblem { problems.append(modelProblem) }
        if let model, let arrays, let weights {
            do {
                try assign(arrays, to: model, spec: spec, file: resolve(weights, baseDirectory).path)
            } catch let error as KerasInteropError {
                problems.append(error)
            } catch {
                problems.append(.layerConstructionFailed(file: spec.file, layer: 0, className: "Sequential", reason: "\(error)"))
            }
        }
        return problems
    }

    /// Element count of each parameter tensor of `model`, in `get_weights()` order: what a
    /// weights archive for it may hold.
    static func expectedElementCounts(_ model: Sequential) -> [Int] {
        model.layers.flatMap { $0.parameters.map(\.count) }
    }

    static func resolve(_ path: String, _ baseDirectory: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseDirectory.appendingPathComponent(path)
    }

    /// Builds the dpflow model for a parsed spec and assigns `weights` in Keras order.
    /// - Parameters:
    ///   - weights: arrays in `model.get_weights()` order; nil keeps initial weights.
    ///   - weightsFile: name used in weight error messages.
    /// - Throws: `KerasInteropError.layerConstructionFailed`, `.refusedLayerClass`,
    ///   `.weightCountMismatch`, `.weightShapeMismatch`.
    public static func makeModel(spec: KerasModelSpec, weights: [NumpyArray]?, weightsFile: String = "",
                                 registry: PluginRegistry, seed: UInt64? = nil) throws -> Sequential {
        let model = try buildModel(spec: spec, registry: registry, seed: seed, allowDefaultInitializers: weights != nil)
        if let weights { try assign(weights, to: model, spec: spec, file: weightsFile) }
        return model
    }

    /// Builds the layers of `spec` (initial weights), refusing layers that mix examples and
    /// models beyond the resource limits (checked from the shapes before any allocation).
    static func buildModel(spec: KerasModelSpec, registry: PluginRegistry, seed: UInt64?,
                           allowDefaultInitializers: Bool) throws -> Sequential {
        var layers: [any Layer] = []
        for layerSpec in spec.layers {
            layers.append(try makeLayer(layerSpec, file: spec.file, registry: registry, allowDefaultInitializers: allowDefaultInitializers))
        }
        for (layer, layerSpec) in zip(layers, spec.layers) where layer.mixesExamples {
            throw KerasInteropError.refusedLayerClass(
                file: spec.file, layer: layerSpec.index, className: layerSpec.className,
                reason: "\(layerSpec.className) mixes examples within a batch, which breaks per-example clipping; use LayerNormalization")
        }
        let model: Sequential
        do {
            model = try Sequential(inputShape: spec.inputShape, layers: layers, seed: seed)
        } catch let PrivateLearningError.incompatibleShape(_, index, _, reason) where spec.layers.indices.contains(index) {
            let layerSpec = spec.layers[index]
            throw KerasInteropError.layerConstructionFailed(file: spec.file, layer: layerSpec.index,
                                                            className: layerSpec.className, reason: reason)
        } catch let PrivateLearningError.resourceLimitExceeded(_, index, reason) where spec.layers.indices.contains(index) {
            let layerSpec = spec.layers[index]
            throw KerasInteropError.layerConstructionFailed(file: spec.file, layer: layerSpec.index,
                                                            className: layerSpec.className, reason: "model too large: " + reason)
        } catch {
            throw KerasInteropError.layerConstructionFailed(file: spec.file, layer: 0, className: "Sequential", reason: "\(error)")
        }
        // Layers not vetted by dpflow are checked empirically for mixing examples.
        for found in model.exampleMixingLayers() where found.reason != nil && spec.layers.indices.contains(found.index) {
            let layerSpec = spec.layers[found.index]
            throw KerasInteropError.refusedLayerClass(
                file: spec.file, layer: layerSpec.index, className: layerSpec.className,
                reason: "\(layerSpec.className) mixes examples within a batch (\(found.reason ?? "")), which breaks per-example clipping")
        }
        return model
    }

    static func makeLayer(_ spec: KerasLayerSpec, file: String, registry: PluginRegistry,
                          allowDefaultInitializers: Bool) throws -> any Layer {
        let parameters = spec.parameters.mapValues(\.pluginParameter)
        do {
            return try registry.makeLayer(spec.registryName, parameters: parameters)
        } catch {
            // Initial weights are replaced by the loaded ones: an initializer dpflow lacks
            // (RandomNormal, VarianceScaling …) need not block the import.
            let initializers = parameters.keys.filter { $0.hasSuffix("_initializer") }
            if allowDefaultInitializers, !initializers.isEmpty,
               let layer = try? registry.makeLayer(spec.registryName, parameters: parameters.filter { !$0.key.hasSuffix("_initializer") }) {
                return layer
            }
            throw KerasInteropError.layerConstructionFailed(file: file, layer: spec.index, className: spec.className,
                                                            reason: "\(error)")
        }
    }

    /// Keras' names for a layer's weights, in `get_weights()` order (for error messages).
    /// Normalisation layers hold `gamma` only when `scale` and `beta` only when `center`, in that order, as Keras builds them.
    static func weightNames(_ spec: KerasLayerSpec, count: Int) -> [String] {
        let names: [String]
        switch spec.className {
        case "Dense", "Conv1D", "Conv2D": names = ["kernel", "bias"]
        case "LayerNormalization", "GroupNormalization":
            names = (spec.parameters["scale"] == .bool(false) ? [] : ["gamma"]) + (spec.parameters["center"] == .bool(false) ? [] : ["beta"])
        case "Embedding": names = ["embeddings"]
        default: names = []
        }
        return (0..<count).map { $0 < names.count ? names[$0] : "weights[\($0)]" }
    }

    static func assign(_ weights: [NumpyArray], to model: Sequential, spec: KerasModelSpec, file: String) throws {
        let expected = model.layers.reduce(0) { $0 + $1.parameters.count }
        guard weights.count == expected else {
            throw KerasInteropError.weightCountMismatch(file: file, expected: expected, found: weights.count)
        }
        var next = 0
        for (layer, layerSpec) in zip(model.layers, spec.layers) {
            let current = layer.parameters
            let names = weightNames(layerSpec, count: current.count)
            var loaded: [Tensor] = []
            for (k, parameter) in current.enumerated() {
                let array = weights[next]
                next += 1
                guard array.shape == parameter.shape else {
                    throw KerasInteropError.weightShapeMismatch(file: file, layer: layerSpec.index, className: layerSpec.className,
                                                                parameter: names[k], expected: parameter.shape, found: array.shape)
                }
                loaded.append(Tensor(shape: array.shape, values: array.values))
            }
            if !current.isEmpty { layer.parameters = loaded }
        }
    }
}
