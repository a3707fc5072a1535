import DPTestSupport
import Foundation
import PrivateLearning
import Testing
@testable import KerasInterop

@Suite("Keras models fine-tuned with DP-SGD")
struct KerasFineTuneTests {
    @Test("an imported model trains privately, and the export holds the trained weights")
    func fineTuneAndExport() throws {
        let registry = try Registries.standard()
        let imported = try KerasModelImporter.load(json: KerasFixtures.jsonURL(.keras2, "binary_sigmoid"),
                                                   weights: FixtureFiles.url("keras2/binary_sigmoid.weights.npz"),
                                                   registry: registry)
        let initial = imported.model.parameters
        // Synthetic data: the label is whether the first feature is positive.
        let x = Fixtures.gaussian(shape: [64, 30], seed: 11)
        let y = Tensor(shape: [64, 1], values: (0..<64).map { x.storage[$0 * 30] > 0 ? 1 : 0 })
        let dpModel = try PrivateModel(model: imported.model, l2NormClip: 1.0, noiseMultiplier: 0.5, noise: .seeded(3))
        dpModel.compile(optimizer: try registry.makeOptimizer("sgd", parameters: ["learning_rate": .double(0.1)]),
                        loss: try registry.makeLoss("binary_crossentropy"))
        let loader = try PoissonLoader(features: x, labels: y, batchSize: 16)
        let history = try dpModel.fit(loader, epochs: 2, targetDelta: 1e-5)
        #expect(history.steps == 2 * loader.stepsPerEpoch)
        #expect(!history.isPrivate) // seeded noise: flagged as not private
        let trained = imported.model.parameters
        #expect(trained.map(\.shape) == initial.map(\.shape))
        #expect(trained != initial)

        let directory = try FixtureFiles.temporaryDirectory("finetune")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try KerasModelExporter.export(model: imported.model, importedFrom: imported, into: directory)
        let stored = try NumpyArchive(contentsOf: files.weights).arrays
        #expect(stored == trained.map { NumpyArray(shape: $0.shape, values: $0.storage) })
        let back = try KerasModelImporter.load(json: files.json, weights: files.weights, registry: registry)
        #expect(back.model.predict(x) == imported.model.predict(x))
    }

    @Test("the Dropout + softmax model fine-tunes with sparse categorical cross-entropy and reloads")
    func fineTuneSoftmaxWithDropout() throws {
        let registry = try Registries.standard()
        let imported = try KerasModelImporter.load(json: KerasFixtures.jsonURL(.keras3, "mlp_softmax"),
                                                   weights: FixtureFiles.url("keras3/mlp_softmax.weights.npz"),
                                                   registry: registry)
        let initial = imported.model.parameters
        let x = Fixtures.gaussian(shape: [48, 30], seed: 5)
        // Three classes from the signs of two features.
        let y = Tensor(shape: [48, 1], values: (0..<48).map { i in
            x.storage[i * 30] > 0 ? 0 : (x.storage[i * 30 + 1] > 0 ? 1 : 2)
        })
        let dpModel = try PrivateModel(model: imported.model, l2NormClip: 1.0, noiseMultiplier: 0.8, noise: .seeded(9))
        dpModel.compile(optimizer: try registry.makeOptimizer("adam", parameters: ["learning_rate": .double(0.01)]),
                        loss: try registry.makeLoss("sparse_categorical_crossentropy"))
        let history = try dpModel.fit(try PoissonLoader(features: x, labels: y, batchSize: 12), epochs: 1, targetDelta: 1e-5)
        #expect(history.steps == 4)
        #expect(imported.model.parameters != initial)
        let directory = try FixtureFiles.temporaryDirectory("finetune-softmax")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try KerasModelExporter.export(model: imported.model, importedFrom: imported, into: directory)
        #expect(files.generation == .keras3)
        let back = try KerasModelImporter.load(json: files.json, weights: files.weights, registry: registry)
        #expect(back.spec.layers.map(\.className) == ["Dense", "Dropout", "Dense"])
        #expect(back.model.predict(x) == imported.model.predict(x))
    }
}
