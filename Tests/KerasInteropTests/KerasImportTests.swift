import Foundation
import PrivateLearning
import StandardPlugins
import Testing
@testable import KerasInterop

enum Registries {
    static func standard() throws -> PluginRegistry {
        var registry = PluginRegistry()
        try StandardPlugins.register(into: &registry)
        return registry
    }
}

/// Keras' stored test batch: `x` and Keras' own predictions `y`.
struct KerasBatch {
    var x: Tensor
    var y: Tensor

    init(_ generation: KerasGeneration, _ model: String) throws {
        let archive = try NumpyArchive(contentsOf: FixtureFiles.url("\(generation.rawValue)/\(model).batch.npz"))
        let x = try #require(archive["x"]), y = try #require(archive["y"])
        self.x = Tensor(shape: [x.shape[0], x.count / max(x.shape[0], 1)], values: x.values)
        self.y = Tensor(shape: y.shape, values: y.values)
    }
}

func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.storage.count == b.storage.count)
    return zip(a.storage, b.storage).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// Keras and dpflow both compute in float32 but sum in different orders; each output is a
/// short chain of dot products of ≤ 30 terms of magnitude ≲ 10, so rounding differences stay
/// around 30 · 2⁻²⁴ · 10 ≈ 2e-5 in the worst case and far below it typically. The issue's
/// acceptance bound is 1e-5, which is what we check.
let kerasTolerance: Float = 1e-5

@Suite("Keras model import")
struct KerasImportTests {
    @Test("imported models predict what Keras predicted (max abs diff ≤ 1e-5)",
          arguments: KerasGeneration.allCases, KerasFixtures.models)
    func predictionsMatchKeras(generation: KerasGeneration, model: String) throws {
        let imported = try KerasModelImporter.load(
            json: KerasFixtures.jsonURL(generation, model),
            weights: FixtureFiles.url("\(generation.rawValue)/\(model).weights.npz"), registry: Registries.standard())
        #expect(imported.generation == generation)
        #expect(imported.hasLoadedWeights)
        let batch = try KerasBatch(generation, model)
        let predicted = imported.model.predict(batch.x)
        #expect(predicted.shape == batch.y.shape)
        #expect(maxAbsDifference(predicted, batch.y) <= kerasTolerance)
    }

    @Test("weights are checked against the layers: count and shape errors name the layer")
    func weightErrors() throws {
        let json = KerasFixtures.jsonURL(.keras2, "binary_sigmoid")
        let weights = try NumpyArchive(contentsOf: FixtureFiles.url("keras2/binary_sigmoid.weights.npz")).arrays
        let spec = try KerasModelSpec(contentsOf: json)
        let registry = try Registries.standard()
        #expect(throws: KerasInteropError.weightCountMismatch(file: "w.npz", expected: 4, found: 3)) {
            try KerasModelImporter.makeModel(spec: spec, weights: Array(weights.dropLast()), weightsFile: "w.npz", registry: registry)
        }
        var swapped = weights
        swapped.swapAt(0, 2) // kernel [30, 8] ↔ kernel [8, 1]
        #expect(throws: KerasInteropError.weightShapeMismatch(file: "w.npz", layer: 1, className: "Dense", parameter: "kernel",
                                                              expected: [30, 8], found: [8, 1])) {
            try KerasModelImporter.makeModel(spec: spec, weights: swapped, weightsFile: "w.npz", registry: registry)
        }
        var transposed = weights
        transposed[0] = NumpyArray(shape: [8, 30], values: weights[0].values)
        #expect(throws: KerasInteropError.weightShapeMismatch(file: "w.npz", layer: 1, className: "Dense", parameter: "kernel",
                                                              expected: [30, 8], found: [8, 30])) {
            try KerasModelImporter.makeModel(spec: spec, weights: transposed, weightsFile: "w.npz", registry: registry)
        }
    }

    @Test("registry parameter errors are reported with the Keras layer and class")
    func registryRefusesOption() throws {
        let json = try KerasFixtures.json(.keras3, "binary_sigmoid")
            .setting(["config", "layers", 1, "config", "units"], to: .int(-3))
        let spec = try KerasModelSpec(json: KerasFixtures.encoded(json), file: "m.json")
        do {
            _ = try KerasModelImporter.makeModel(spec: spec, weights: nil, registry: Registries.standard())
            Issue.record("expected layerConstructionFailed")
        } catch let KerasInteropError.layerConstructionFailed(file, layer, className, reason) {
            #expect(file == "m.json")
            #expect(layer == 1)
            #expect(className == "Dense")
            #expect(reason.contains("units"))
        }
    }

    @Test("a layer that cannot take its input shape is reported with its Keras position and class")
    func incompatibleShape() throws {
        // Flatten replaced by a linear Activation: Dense then gets [4, 5] per example.
        let json = try KerasFixtures.json(.keras3, "flatten_activation")
            .setting(["config", "layers", 1, "class_name"], to: .string("Activation"))
            .setting(["config", "layers", 1, "config", "activation"], to: .string("linear"))
            .setting(["config", "layers", 1, "config", "data_format"], to: .null)
        let spec = try KerasModelSpec(json: KerasFixtures.encoded(json), file: "m.json")
        do {
            _ = try KerasModelImporter.makeModel(spec: spec, weights: nil, registry: Registries.standard())
            Issue.record("expected layerConstructionFailed")
        } catch let KerasInteropError.layerConstructionFailed(file, layer, className, reason) {
            #expect(file == "m.json")
            #expect(layer == 2)
            #expect(className == "Dense")
            #expect(reason.contains("flatten"))
        }
    }

    @Test("pipeline validation lists every problem: width, weights, unknown files")
    func pipelineProblems() throws {
        let registry = try Registries.standard()
        let root = FixtureFiles.root
        #expect(KerasModelImporter.problems(kerasJSON: "keras3/binary_sigmoid.json", weights: "keras3/binary_sigmoid.weights.npz",
                                            relativeTo: root, registry: registry, featureWidth: 30).isEmpty)
        let wrong = KerasModelImporter.problems(kerasJSON: "keras3/binary_sigmoid.json", weights: "keras3/dense_softmax.weights.npz",
                                                relativeTo: root, registry: registry, featureWidth: 12)
        #expect(wrong == [
            .inputWidthMismatch(file: root.appendingPathComponent("keras3/binary_sigmoid.json").path, inputShape: [30], featureWidth: 12),
            .weightShapeMismatch(file: root.appendingPathComponent("keras3/dense_softmax.weights.npz").path, layer: 1, className: "Dense",
                                 parameter: "kernel", expected: [30, 8], found: [7, 5]),
        ])
        let missing = KerasModelImporter.problems(kerasJSON: "nope.json", weights: "nope.npz", relativeTo: root,
                                                  registry: registry, featureWidth: nil)
        #expect(missing == [
            .invalidModelJSON(file: root.appendingPathComponent("nope.json").path, reason: "cannot read the file"),
            .invalidNumpyArchive(file: root.appendingPathComponent("nope.npz").path, reason: "the file does not exist"),
        ])
    }

    @Test("paths given to the pipeline hook resolve against the pipeline's folder")
    func pipelineHook() throws {
        let imported = try KerasModelImporter.load(kerasJSON: "keras3/binary_sigmoid.json", weights: "keras3/binary_sigmoid.weights.npz",
                                                   relativeTo: FixtureFiles.root, registry: Registries.standard())
        #expect(imported.model.inputShape == [30])
        #expect(imported.model.parameterCount == 30 * 8 + 8 + 8 + 1)
    }
}

@Suite("Keras model export")
struct KerasExportTests {
    /// Import → export (each generation) → import: identical predictions, equivalent JSON.
    /// Leaves `<model>.<generation>.{json,weights.npz,batch.npz}` for check_export.py when
    /// DPFLOW_KERAS_EXPORT_DIR is set (batch y = dpflow's predictions).
    @Test("round trip import → export → import keeps predictions and structure",
          arguments: KerasGeneration.allCases, KerasFixtures.models)
    func roundTrip(generation: KerasGeneration, model: String) throws {
        let registry = try Registries.standard()
        let (directory, keep) = try ExportDirectory.make("roundtrip")
        defer { if !keep { try? FileManager.default.removeItem(at: directory) } }
        let imported = try KerasModelImporter.load(
            json: KerasFixtures.jsonURL(generation, model),
            weights: FixtureFiles.url("\(generation.rawValue)/\(model).weights.npz"), registry: registry)
        let batch = try KerasBatch(generation, model)
        let before = imported.model.predict(batch.x)
        for written in KerasGeneration.allCases {
            let origin = written == generation ? "" : "_from_\(generation.rawValue)"
            let stem = directory.appendingPathComponent("dpflow_\(model)\(origin).\(written.rawValue)")
            let json = stem.appendingPathExtension("json"), weights = stem.appendingPathExtension("weights.npz")
            try imported.export(json: json, weights: weights, generation: written)
            try NumpyArchive(entries: [.init(name: "x", array: NumpyArray(shape: [batch.x.rows] + imported.model.inputShape, values: batch.x.storage)),
                                       .init(name: "y", array: NumpyArray(shape: before.shape, values: before.storage))])
                .write(to: stem.appendingPathExtension("batch.npz"))
            let again = try KerasModelImporter.load(json: json, weights: weights, registry: registry)
            #expect(again.generation == written)
            #expect(again.model.predict(batch.x) == before)
            #expect(again.spec.name == imported.spec.name)
            #expect(again.spec.inputShape == imported.spec.inputShape)
            // Exported JSON always starts with an InputLayer, so layer i sits at position i + 1.
            #expect(again.spec.layers == imported.spec.layers.enumerated().map { position, layer in
                var layer = layer
                layer.index = position + 1
                return layer
            })
        }
    }

    @Test("the default export of an imported model is its own generation")
    func defaultGeneration() throws {
        let directory = try FixtureFiles.temporaryDirectory("default")
        defer { try? FileManager.default.removeItem(at: directory) }
        let imported = try KerasModelImporter.load(json: KerasFixtures.jsonURL(.keras2, "binary_sigmoid"), weights: nil,
                                                   registry: Registries.standard())
        #expect(!imported.hasLoadedWeights)
        let json = directory.appendingPathComponent("m.json")
        try imported.export(json: json, weights: directory.appendingPathComponent("w.npz"))
        #expect(try KerasModelSpec(contentsOf: json).generation == .keras2)
    }

    @Test("pipeline export: default format is the imported generation, else Keras 3; explicit format wins")
    func pipelineExport() throws {
        let registry = try Registries.standard()
        let directory = try FixtureFiles.temporaryDirectory("pipeline-export")
        defer { try? FileManager.default.removeItem(at: directory) }
        let imported = try KerasModelImporter.load(kerasJSON: "keras2/dense_softmax.json", weights: "keras2/dense_softmax.weights.npz",
                                                   relativeTo: FixtureFiles.root, registry: registry)
        let files = try KerasModelExporter.export(model: imported.model, importedFrom: imported, into: directory)
        #expect(files.generation == .keras2)
        #expect(files.json.lastPathComponent == "model.json")
        #expect(files.weights.lastPathComponent == "model.weights.npz")
        let back = try KerasModelImporter.load(json: files.json, weights: files.weights, registry: registry)
        #expect(back.generation == .keras2)
        #expect(back.spec.layers.map(\.name) == imported.spec.layers.map(\.name))
        let explicit = try KerasModelExporter.export(model: imported.model, importedFrom: imported, format: .keras3,
                                                     into: directory, baseName: "k3")
        #expect(try KerasModelSpec(contentsOf: explicit.json).generation == .keras3)
        let declared = try Sequential(inputShape: [3], layers: [registry.makeLayer("dense", parameters: ["units": .int(2)])], seed: 1)
        let declaredFiles = try KerasModelExporter.export(model: declared, into: directory, baseName: "declared")
        #expect(declaredFiles.generation == .keras3)
        #expect(try KerasModelSpec(contentsOf: declaredFiles.json).generation == .keras3)
    }

    @Test("a model declared in dpflow exports as Keras 3 and reloads with the same predictions")
    func declaredModel() throws {
        let registry = try Registries.standard()
        let model = try Sequential(inputShape: [5], layers: [
            registry.makeLayer("dense", parameters: ["units": .int(4), "activation": .string("relu")]),
            registry.makeLayer("dense", parameters: ["units": .int(2), "activation": .string("sigmoid"), "kernel_initializer": .string("he_normal")]),
        ], seed: 7)
        let (directory, keep) = try ExportDirectory.make("declared")
        defer { if !keep { try? FileManager.default.removeItem(at: directory) } }
        let stem = directory.appendingPathComponent("dpflow_declared.keras3")
        let json = stem.appendingPathExtension("json"), weights = stem.appendingPathExtension("weights.npz")
        try KerasModelExporter.write(model: model, json: json, weights: weights)
        let x = Tensor(shape: [6, 5], values: (0..<30).map { Float($0 % 7) / 3 - 1 })
        let y = model.predict(x)
        try NumpyArchive(entries: [.init(name: "x", array: NumpyArray(shape: x.shape, values: x.storage)),
                                   .init(name: "y", array: NumpyArray(shape: y.shape, values: y.storage))])
            .write(to: stem.appendingPathExtension("batch.npz"))
        let back = try KerasModelImporter.load(json: json, weights: weights, registry: registry)
        #expect(back.generation == .keras3)
        #expect(back.spec.layers.map(\.name) == ["dense", "dense_1"])
        #expect(back.spec.layers[1].parameters["kernel_initializer"] == .string("he_normal"))
        #expect(back.model.predict(x) == y)
    }

    @Test("weights changed after import (as training does) are what gets exported")
    func exportsCurrentWeights() throws {
        let registry = try Registries.standard()
        let directory = try FixtureFiles.temporaryDirectory("changed")
        defer { try? FileManager.default.removeItem(at: directory) }
        let imported = try KerasModelImporter.load(json: KerasFixtures.jsonURL(.keras3, "binary_sigmoid"),
                                                   weights: FixtureFiles.url("keras3/binary_sigmoid.weights.npz"), registry: registry)
        imported.model.parameters = imported.model.parameters.map { t in
            Tensor(shape: t.shape, values: t.storage.map { $0 * 0.5 + 0.01 })
        }
        let json = directory.appendingPathComponent("m.json"), weights = directory.appendingPathComponent("w.npz")
        try imported.export(json: json, weights: weights)
        let back = try KerasModelImporter.load(json: json, weights: weights, registry: registry)
        let batch = try KerasBatch(.keras3, "binary_sigmoid")
        #expect(back.model.predict(batch.x) == imported.model.predict(batch.x))
        #expect(back.model.predict(batch.x) != batch.y)
    }
}
