import Foundation
import PrivacyAccounting
import PrivateLearning
import StandardPlugins
import Testing
@testable import PrivateDataFrame

@Suite("Split parts are views; training batches are encoded on demand")
struct FrameViewTests {
    let files = TestFiles()

    func frame() throws -> PrivateDataFrame {
        var text = "a,b,color,y\n"
        for i in 0..<500 { text += "\(i % 11),\(Double(i % 7) - 3.5),\(["red", "green", "blue"][i % 3]),\(i % 3 == 0 ? "yes" : "no")\n" }
        return try PrivateDataFrame.load(csv: files.write("v.csv", text), schema: Schema(columns: [
            "a": .integer(min: 0, max: 10), "b": .number(min: -4, max: 4),
            "color": .category(["red", "green", "blue"]), "y": .category(["no", "yes"]),
        ]), datasetID: "view-test")
    }

    static func address(_ storage: ColumnStorage) -> UnsafeRawPointer? {
        switch storage {
        case .numeric(let v): v.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        case .categorical(let v): v.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        case .text(let v): v.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        }
    }

    @Test func selectAndSplitShareTheLoadedStorage() throws {
        let loaded = try frame()
        let selected = try loaded.select(features: ["a", "b", "color"], label: "y")
        for key in [SplitKey.rowContent, .position] {
            let (train, test) = try selected.split(testFraction: 0.25, seed: 3, key: key, keySource: loaded)
            #expect(train.rowCount + test.rowCount == 500 && test.rowCount > 0 && train.rowCount > 0)
            for part in [train, test] {
                #expect(part.rowSelection?.count == part.rowCount)
                for name in ["a", "b", "color", "y"] {
                    // The same buffer: no copy of the column's values.
                    #expect(Self.address(try part.column(named: name).storage) == Self.address(try loaded.column(named: name).storage))
                }
                // A view encodes exactly what its materialised copy encodes.
                let compact = part.compacted()
                #expect(compact.rowSelection == nil)
                #expect(try part.encodedFeatures().values == compact.encodedFeatures().values)
                #expect(try part.encodedLabels(EncodingOptions(label: .oneHot)).values
                        == compact.encodedLabels(EncodingOptions(label: .oneHot)).values)
                #expect(part.testNumbers("b") == compact.testNumbers("b"))
            }
            // A split of a view selects the same rows as a split of its copy.
            let again = try train.split(testFraction: 0.5, seed: 9, key: .rowContent)
            let againCompact = try train.compacted().split(testFraction: 0.5, seed: 9, key: .rowContent)
            #expect(try again.test.encodedFeatures().values == againCompact.test.encodedFeatures().values)
        }
    }

    /// The on-demand sampler draws the loaders' batches: the same indices from the same generator, the same values.
    @Test func samplerDrawsTheLoadersBatches() throws {
        let loaded = try frame()
        let (train, _) = try loaded.select(allFeaturesExcept: "y").split(testFraction: 0.3, seed: 5, key: .rowContent)
        let encoding = EncodingOptions(numericRange: .symmetric, categories: .oneHot, label: .oneHot)
        let x = try train.encodedFeatures(encoding), y = try train.encodedLabels(encoding)
        let features = Tensor(shape: [x.rows, x.columns], values: x.values)
        let labels = Tensor(shape: [y.rows, y.columns], values: y.values)
        let examples = try train.trainingSet(encoding)
        #expect(examples.featureWidth == x.columns && examples.labelWidth == y.columns && examples.rows == x.rows)

        let poisson = try PoissonLoader(features: features, labels: labels, batchSize: 40, accountedSize: 400)
        let sampler = try FrameBatchSampler(examples, batchSize: 40, scheme: .poisson(accountedSize: 400))
        #expect(sampler.samplingRate == poisson.samplingRate && sampler.stepsPerEpoch == poisson.stepsPerEpoch)
        #expect(sampler.featureWidth == poisson.featureWidth && sampler.neighbouring == .addRemove)
        var g1 = SplitMix64(seed: 11), g2 = SplitMix64(seed: 11)
        for _ in 0..<20 {
            let a = poisson.sampleBatch(using: &g1), b = sampler.sampleBatch(using: &g2)
            #expect(a.features == b.features && a.labels == b.labels)
        }

        let fixed = try WithoutReplacementLoader(features: features, labels: labels, batchSize: 25)
        let fixedSampler = try FrameBatchSampler(examples, batchSize: 25, scheme: .withoutReplacement)
        #expect(fixedSampler.samplingRate == fixed.samplingRate && fixedSampler.stepsPerEpoch == fixed.stepsPerEpoch)
        #expect(fixedSampler.neighbouring == .replaceOne)
        for _ in 0..<20 {
            let a = fixed.sampleBatch(using: &g1), b = fixedSampler.sampleBatch(using: &g2)
            #expect(a.features == b.features && a.labels == b.labels && a.features.rows == 25)
        }
        #expect(throws: PrivateLearningError.self) { try FrameBatchSampler(examples, batchSize: 0, scheme: .withoutReplacement) }
        #expect(throws: PrivateLearningError.self) {
            try FrameBatchSampler(examples, batchSize: 500, scheme: .poisson(accountedSize: 400))
        }
    }

    /// Predicting on a view keeps it a view (the prediction column is stored at its rows) with the scores of its copy.
    @Test func predictionsOnAViewMatchTheCopy() throws {
        let loaded = try frame()
        let (_, test) = try loaded.select(features: ["a", "b", "color"], label: "y").split(testFraction: 0.3, seed: 2, key: .rowContent)
        let model = try Sequential(inputShape: [5], layers: [Dense(1, activation: .sigmoid)], seed: 3)
        let scored = try test.predict(model: model, labelColumns: ["p"])
        let scoredCopy = try test.compacted().predict(model: model, labelColumns: ["p"])
        #expect(scored.rowSelection != nil && scored.rowCount == test.rowCount)
        #expect(Self.address(try scored.column(named: "b").storage) == Self.address(try loaded.column(named: "b").storage))
        #expect(scored.testCategories("p") == scoredCopy.testCategories("p"))
        #expect(scored.testCategories("y") == scoredCopy.testCategories("y"))
        let wide = try Sequential(inputShape: [5], layers: [Dense(2)], seed: 3)
        let scores = try test.predict(model: wide, labelColumns: ["s0", "s1"])
        #expect(scores.testNumbers("s1") == (try test.compacted().predict(model: wide, labelColumns: ["s0", "s1"])).testNumbers("s1"))
    }

    /// Chunked prediction (no encoded copy of the frame) gives exactly the outputs of predicting the encoded matrix.
    @Test func chunkedPredictionsEqualThoseOfTheEncodedMatrix() throws {
        var text = "a,b,y\n"
        for i in 0..<9_000 { text += "\(i % 13),\(Double(i % 17) / 4 - 2),\(i % 2)\n" }
        let loaded = try PrivateDataFrame.load(csv: files.write("big.csv", text), schema: Schema(columns: [
            "a": .integer(min: 0, max: 12), "b": .number(min: -2, max: 2), "y": .category(["0", "1"]),
        ]), datasetID: "chunks")
        let (train, _) = try loaded.select(allFeaturesExcept: "y").split(testFraction: 0.1, seed: 4, key: .rowContent)
        #expect(train.rowCount > 2 * PrivateDataFrame.predictionChunk)
        let model = try Sequential(inputShape: [2], layers: [Dense(8, activation: .relu), Dense(3)], seed: 5)
        let x = try train.encodedFeatures()
        let whole = model.predict(Tensor(shape: [x.rows, x.columns], values: x.values))
        #expect(try train.predictions(of: model, encoding: EncodingOptions()) == whole)
        #expect(throws: DataFrameError.self) {
            try train.predictions(of: try Sequential(inputShape: [3], layers: [Dense(1)], seed: 1), encoding: EncodingOptions())
        }
    }
}
