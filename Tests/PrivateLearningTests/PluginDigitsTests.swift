import DPTestSupport
import Foundation
import PrivateLearning
import StandardPlugins
import Testing

/// Ten-class training on the 8×8 digits shipped in `pipelines/data/digits.csv`: softmax
/// outputs with the new cross-entropy losses must train, privately and not.
@Suite("Plugins: softmax + cross-entropy on digits")
struct PluginDigitsTests {
    struct Split { var trainX: Tensor; var trainY: Tensor; var testX: Tensor; var testY: Tensor }

    /// Pixels are divided by 16, the public range of the data set (0…16), never a statistic
    /// of the data. Labels are class indices `[N, 1]`; 80/20 split after a seeded shuffle.
    static func load() throws -> Split {
        let url = Fixtures.repositoryRoot.appendingPathComponent("pipelines/data/digits.csv")
        let (header, rows) = try Fixtures.numericCSV(url)
        precondition(header.count == 65)
        var order = Array(rows.indices)
        var g = SeededRandomSource(seed: 99)
        order.shuffle(using: &g)
        let nTrain = rows.count * 4 / 5
        func tensors(_ idx: ArraySlice<Int>) -> (Tensor, Tensor) {
            (Tensor(shape: [idx.count, 64], values: idx.flatMap { i in rows[i][0..<64].map { min($0 / 16, 1) } }),
             Tensor(shape: [idx.count, 1], values: idx.map { rows[$0][64] }))
        }
        let (a, b) = tensors(order[..<nTrain]), (c, d) = tensors(order[nTrain...])
        return Split(trainX: a, trainY: b, testX: c, testY: d)
    }

    static func oneHot(_ labels: Tensor) -> Tensor {
        Tensor(shape: [labels.rows, 10], values: labels.storage.flatMap { c in (0..<10).map { Float($0) == c ? 1 : 0 } })
    }

    @Test("DP-SGD, dense softmax + sparse_categorical_crossentropy: ≥ 85% test accuracy (σ 1, clip 1)")
    func privateSparse() throws {
        let data = try Self.load()
        var r = PluginRegistry()
        try StandardPlugins.register(into: &r)
        let loss = try r.makeLoss("sparse_categorical_crossentropy")
        try #require(loss as? SparseCategoricalCrossentropy).validateTargets(data.trainY, classes: 10)
        let model = try Sequential(inputShape: [64], layers: [
            try r.makeLayer("dense", parameters: ["units": .int(32), "activation": .string("relu")]),
            try r.makeLayer("dense", parameters: ["units": .int(10)]),
            try r.makeLayer("activation", parameters: ["activation": .string("softmax")]),
        ], seed: 3)
        let dp = try PrivateModel(model: model, l2NormClip: 1, noiseMultiplier: 1, noise: .seeded(8))
        dp.compile(optimizer: try r.makeOptimizer("adam", parameters: ["learning_rate": .double(0.01)]), loss: loss,
                   metrics: [.accuracy])
        let loader = try PoissonLoader(features: data.trainX, labels: data.trainY, batchSize: 64)
        let history = try dp.fit(loader, epochs: 15, targetDelta: 1e-5)
        #expect(history.loss.last! < history.loss.first! * 0.5)
        let accuracy = try #require(try dp.evaluate(data.testX, data.testY)["accuracy"])
        #expect(accuracy >= 0.85, "test accuracy \(accuracy)")
    }

    @Test("non-private: categorical_crossentropy on softmax and from_logits on a linear output both reach ≥ 93%")
    func nonPrivateCategorical() throws {
        let data = try Self.load()
        for fromLogits in [false, true] {
            let model = try Sequential(inputShape: [64], seed: 4) {
                Dense(32, activation: .relu)
                Dense(10, activation: fromLogits ? .linear : .softmax)
            }
            model.compile(optimizer: Adam(learningRate: 0.01), loss: CategoricalCrossentropy(fromLogits: fromLogits),
                          metrics: [.accuracy])
            let history = try model.fit(data.trainX, Self.oneHot(data.trainY), epochs: 10, batchSize: 32, seed: 1)
            #expect(history.loss.last! < history.loss.first!)
            let accuracy = try #require(try model.evaluate(data.testX, Self.oneHot(data.testY))["accuracy"])
            #expect(accuracy >= 0.93, "from_logits \(fromLogits): test accuracy \(accuracy)")
        }
    }
}
