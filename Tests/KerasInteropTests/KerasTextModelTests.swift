import Foundation
import PrivateLearning
import StandardPlugins
import Testing
@testable import KerasInterop

/// Sequential text models (Embedding with mask_zero, GRU, LSTM, Bidirectional, Conv1D,
/// GlobalAveragePooling1D) against real Keras: fixtures by scripts/keras/make_text_fixtures.py.
enum KerasTextFixtures {
    static let models = ["text_gru", "text_bilstm", "text_conv", "text_bigru_lstm"]
    /// Generations whose text fixtures are committed.
    static let generations: [KerasGeneration] = KerasGeneration.allCases.filter {
        FileManager.default.fileExists(atPath: FixtureFiles.url("\($0.rawValue)/text_gru.json").path)
    }
}

/// Recurrent outputs chain up to 8 steps of gated products; float32 rounding in a different
/// summation order stays below 1e-5 for these sizes (as for the dense fixtures).
@Suite("Keras text models")
struct KerasTextModelTests {
    @Test("Keras 3 text fixtures are present")
    func fixturesPresent() {
        #expect(KerasTextFixtures.generations.contains(.keras3))
    }

    @Test("imported text models predict what Keras predicted (padding masks included)",
          arguments: KerasTextFixtures.generations, KerasTextFixtures.models)
    func predictionsMatchKeras(generation: KerasGeneration, model: String) throws {
        let imported = try KerasModelImporter.load(
            json: KerasFixtures.jsonURL(generation, model),
            weights: FixtureFiles.url("\(generation.rawValue)/\(model).weights.npz"), registry: Registries.standard())
        let batch = try KerasBatch(generation, model)
        let predicted = imported.model.predict(batch.x)
        #expect(predicted.shape == batch.y.shape)
        #expect(maxAbsDifference(predicted, batch.y) <= kerasTolerance)
    }

    /// Import → export (each generation) → import keeps predictions and layers; leaves files for
    /// scripts/keras/check_export.py when DPFLOW_KERAS_EXPORT_DIR is set.
    @Test("text models round trip import → export → import", arguments: KerasTextFixtures.generations, KerasTextFixtures.models)
    func roundTrip(generation: KerasGeneration, model: String) throws {
        let registry = try Registries.standard()
        let (directory, keep) = try ExportDirectory.make("textroundtrip")
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
            #expect(again.spec.layers.map(\.registryName) == imported.spec.layers.map(\.registryName))
            #expect(again.spec.layers.map(\.parameters) == imported.spec.layers.map(\.parameters))
        }
    }

    @Test("a text model declared in dpflow exports with nested Bidirectional and reloads with the same predictions")
    func declaredTextModel() throws {
        let registry = try Registries.standard()
        let model = try Sequential(inputShape: [6], layers: [
            registry.makeLayer("embedding", parameters: ["input_dim": .int(12), "output_dim": .int(3), "mask_zero": .bool(true)]),
            registry.makeLayer("bidirectional", parameters: ["layer": .string("gru"), "units": .int(2), "return_sequences": .bool(true)]),
            registry.makeLayer("lstm", parameters: ["units": .int(3)]),
            registry.makeLayer("dense", parameters: ["units": .int(2), "activation": .string("softmax")]),
        ], seed: 5)
        let (directory, keep) = try ExportDirectory.make("declaredtext")
        defer { if !keep { try? FileManager.default.removeItem(at: directory) } }
        let x = Tensor(shape: [3, 6], values: [3, 4, 5, 0, 0, 0, 11, 0, 2, 2, 7, 0, 1, 1, 1, 1, 1, 1])
        let y = model.predict(x)
        for generation in KerasGeneration.allCases {
            let stem = directory.appendingPathComponent("dpflow_declared_text.\(generation.rawValue)")
            let json = stem.appendingPathExtension("json"), weights = stem.appendingPathExtension("weights.npz")
            try KerasModelExporter.write(model: model, generation: generation, json: json, weights: weights)
            try NumpyArchive(entries: [.init(name: "x", array: NumpyArray(shape: x.shape, values: x.storage)),
                                       .init(name: "y", array: NumpyArray(shape: y.shape, values: y.storage))])
                .write(to: stem.appendingPathExtension("batch.npz"))
            let tree = try JSONDecoder().decode(KerasConfigValue.self, from: Data(contentsOf: json))
            let bidirectional = tree["config"]?["layers"]?.listValue?[2]
            #expect(bidirectional?["class_name"] == .string("Bidirectional"))
            #expect(bidirectional?["config"]?["layer"]?["class_name"] == .string("GRU"))
            #expect(bidirectional?["config"]?["merge_mode"] == .string("concat"))
            let back = try KerasModelImporter.load(json: json, weights: weights, registry: registry)
            #expect(back.model.predict(x) == y)
        }
    }

    @Test("unsupported recurrent options are refused with the option named")
    func refusals() throws {
        func layerJSON(_ className: String, _ config: String) -> Data {
            Data("""
            {"class_name": "Sequential", "config": {"name": "m", "layers": [
              {"class_name": "InputLayer", "config": {"batch_shape": [null, 4, 2], "dtype": "float32"}},
              {"class_name": "\(className)", "config": \(config)}]}}
            """.utf8)
        }
        let cases: [(String, String, String)] = [
            ("GRU", #"{"units": 2, "reset_after": false}"#, "reset_after"),
            ("LSTM", #"{"units": 2, "dropout": 0.2}"#, "dropout"),
            ("LSTM", #"{"units": 2, "stateful": true}"#, "stateful"),
            ("GRU", #"{"units": 2, "return_state": true}"#, "return_state"),
            ("Bidirectional", #"{"layer": {"class_name": "GRU", "config": {"units": 2}}, "merge_mode": "sum"}"#, "merge_mode"),
            ("Bidirectional", #"{"layer": {"class_name": "SimpleRNN", "config": {"units": 2}}}"#, "layer"),
            ("Bidirectional", #"{"layer": {"class_name": "GRU", "config": {"units": 2}}, "backward_layer": {"class_name": "GRU", "config": {"units": 3, "go_backwards": true}}}"#, "backward_layer"),
        ]
        for (className, config, option) in cases {
            #expect {
                _ = try KerasModelSpec(json: layerJSON(className, config), file: "m.json")
            } throws: { error in
                guard case KerasInteropError.unsupportedOption(_, _, _, let named, _) = error else { return false }
                return named == option
            }
        }
    }
}
