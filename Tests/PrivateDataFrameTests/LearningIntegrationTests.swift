import Foundation
import PrivateLearning
import StandardPlugins
import Testing
@testable import PrivateDataFrame

@Suite("Training and prediction through the frame")
struct LearningIntegrationTests {
    let files = TestFiles()

    func frame() throws -> PrivateDataFrame {
        var text = "a,b,y,r\n"
        var rng = SplitMix64(seed: 3)
        for _ in 0..<400 {
            let a = Double(rng.next() % 1000) / 100, b = Double(rng.next() % 1000) / 100
            text += "\(a),\(b),\(a > b ? "pos" : "neg"),\(a + b)\n"
        }
        return try PrivateDataFrame.load(csv: files.write("t.csv", text), schema: Schema(columns: [
            "a": .number(min: 0, max: 10), "b": .number(min: 0, max: 10), "y": .category(["neg", "pos"]),
            "r": .number(min: 0, max: 20)]), datasetID: "learn")
    }

    @Test func fitUsesPoissonLoaderWithPublicN() throws {
        let f = try frame().select(features: ["a", "b"], label: "y")
        let model = try Sequential(inputShape: [2], layers: [Dense(1, activation: .sigmoid)], seed: 1)
        let pm = try PrivateModel(model: model, l2NormClip: 1, noiseMultiplier: 1.1, noise: SeededRandomSource(seed: 2))
        pm.compile(optimizer: SGD(learningRate: 0.5), loss: BinaryCrossentropy())
        let h = try pm.fit(f, batchSize: 40, epochs: 3, targetDelta: 1e-5)
        #expect(h.steps == 3 * 10)                          // ceil(400 / 40) steps per epoch
        #expect(h.samplingRate == 40.0 / 400.0)             // q = B / rowCountForAccounting
        #expect(!h.isPrivate)                               // seeded noise
        #expect(throws: DataFrameError.self) { try pm.fit(try self.frame(), batchSize: 40, epochs: 1, targetDelta: 1e-5) }
    }

    @Test func predictAddsPrivateColumnsMatchingTheModel() throws {
        let f = try frame().select(features: ["a", "b"], label: "y")
        let model = try Sequential(inputShape: [2], layers: [Dense(1, activation: .sigmoid)], seed: 1)
        let p = try f.predict(model: model, labelColumns: ["y_hat"])
        #expect(p.columnNames == ["a", "b", "y", "y_hat"])
        #expect(try p.spec(of: "y_hat").kind == .category(values: ["neg", "pos"]))
        let x = try f.encodedFeatures()
        let raw = model.predict(Tensor(shape: [x.rows, x.columns], values: x.values)).storage
        #expect(p.testCategories("y_hat") == raw.map { $0 >= 0.5 ? 1 : 0 })
        #expect(p.description.contains("private"))
        // Regression: values mapped back from the scaled label and clamped to its bounds.
        let g = try frame().select(features: ["a", "b"], label: "r")
        let reg = try g.predict(model: model, labelColumns: ["r_hat"], encoding: EncodingOptions(label: .scaled))
        let xr = try g.encodedFeatures()
        let rr = model.predict(Tensor(shape: [xr.rows, xr.columns], values: xr.values)).storage
        // (v − 0) / (1/20) vs v·20: equal up to Float rounding (relative 1e-6).
        let mapped = reg.testNumbers("r_hat")
        #expect(mapped.count == rr.count)
        #expect(zip(mapped, rr).allSatisfy { abs($0 - min(max($1 * 20, 0), 20)) <= 1e-5 * 20 })
        #expect(throws: DataFrameError.self) { try f.predict(model: model, labelColumns: ["a"]) }
        let wide = try Sequential(inputShape: [3], layers: [Dense(2)], seed: 1)
        #expect(throws: DataFrameError.self) { try f.predict(model: wide, labelColumns: ["z"]) }
    }
}
