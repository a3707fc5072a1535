import DPTestSupport
import Foundation
import PrivateLearning
import StandardPlugins
import Testing

/// Accuracy on the Wisconsin breast-cancer data shipped in `pipelines/data/breast_cancer.csv`.
@Suite("Core: breast cancer accuracy")
struct CoreBreastCancerTests {
    /// Public per-column upper bounds (UCI WDBC feature domains as documented for the data set,
    /// rounded up). Features are divided by them: no statistic of the private data is used.
    static let upperBounds: [Float] = [
        30, 40, 200, 2600, 0.2, 0.4, 0.5, 0.25, 0.35, 0.1,
        3, 5, 22, 550, 0.035, 0.14, 0.4, 0.06, 0.08, 0.03,
        37, 50, 260, 4300, 0.23, 1.1, 1.3, 0.3, 0.7, 0.21,
    ]

    struct Split { var trainX: Tensor; var trainY: Tensor; var testX: Tensor; var testY: Tensor }

    /// 80/20 split after a seeded shuffle.
    static func load() throws -> Split {
        let url = Fixtures.repositoryRoot.appendingPathComponent("pipelines/data/breast_cancer.csv")
        let (header, rows) = try Fixtures.numericCSV(url)
        precondition(header.count == 31 && header.last == "target")
        var order = Array(rows.indices)
        var g = SeededRandomSource(seed: 2024)
        order.shuffle(using: &g)
        let nTrain = rows.count * 4 / 5
        func tensors(_ idx: ArraySlice<Int>) -> (Tensor, Tensor) {
            let x = idx.flatMap { i in (0..<30).map { j in min(rows[i][j] / upperBounds[j], 1) } }
            return (Tensor(shape: [idx.count, 30], values: x), Tensor(shape: [idx.count, 1], values: idx.map { rows[$0][30] }))
        }
        let (trX, trY) = tensors(order[..<nTrain]), (teX, teY) = tensors(order[nTrain...])
        return Split(trainX: trX, trainY: trY, testX: teX, testY: teY)
    }

    static func makeModel() throws -> Sequential {
        try Sequential(inputShape: [30], seed: 7) {
            Dense(16, activation: .relu)
            Dense(1, activation: .sigmoid)
        }
    }

    @Test("non-private training reaches ≥ 95% test accuracy")
    func nonPrivate() throws {
        let data = try Self.load()
        let model = try Self.makeModel()
        model.compile(optimizer: Adam(learningRate: 0.01), loss: BinaryCrossentropy(), metrics: [.accuracy])
        let history = try model.fit(data.trainX, data.trainY, epochs: 30, batchSize: 32, seed: 1)
        #expect(history.loss.last! < history.loss.first!)
        let result = try model.evaluate(data.testX, data.testY)
        #expect(result["accuracy"]! >= 0.95, "test accuracy \(result["accuracy"]!)")
    }

    @Test("DP-SGD (clip 1, σ 1.0, batch 32, 30 epochs) reaches ≥ 90% test accuracy")
    func dpTraining() throws {
        let data = try Self.load()
        let dp = try PrivateModel(model: try Self.makeModel(), l2NormClip: 1.0, noiseMultiplier: 1.0, noise: .seeded(31))
        dp.compile(optimizer: Adam(learningRate: 0.01), loss: BinaryCrossentropy(), metrics: [.accuracy])
        let loader = try PoissonLoader(features: data.trainX, labels: data.trainY, batchSize: 32)
        let history = try dp.fit(loader, epochs: 30, targetDelta: 1e-5)
        #expect(history.steps == 30 * loader.stepsPerEpoch)
        #expect(!history.isPrivate)   // seeded for reproducibility
        let result = try dp.evaluate(data.testX, data.testY)
        #expect(result["accuracy"]! >= 0.90, "test accuracy \(result["accuracy"]!)")
    }
}
