import DPTestSupport
import Foundation
import PrivateLearning
import StandardPlugins
import Testing

@Suite("Core: model save/load")
struct CoreModelFileTests {
    func registry() throws -> PluginRegistry {
        var r = PluginRegistry()
        try StandardPlugins.register(into: &r)
        return r
    }

    @Test("save then load gives identical configuration, weights and predictions")
    func roundTrip() throws {
        let model = try Sequential(inputShape: [6], seed: 3) {
            Dense(5, activation: .tanh, kernelInitializer: .heNormal)
            Activation(.relu)
            Dense(2, activation: .softmax, useBias: false)
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dpflow-core-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.save(to: url)
        let loaded = try Sequential.load(from: url, registry: try registry())
        #expect(ModelFile(loaded) == ModelFile(model))
        let x = Fixtures.gaussian(shape: [4, 6], seed: 9)
        #expect(loaded.predict(x) == model.predict(x))
        #expect(loaded.summary == model.summary)
    }

    @Test("mismatched weights and foreign files are refused without echoing values")
    func refusals() throws {
        let model = try Sequential(inputShape: [3], layers: [Dense(2)], seed: 1)
        var file = ModelFile(model)
        file.layers[0].weights[0] = .init(Tensor(zeros: [4, 2]))
        #expect(throws: PrivateLearningError.self) { _ = try file.makeModel(registry: try registry()) }
        do {
            _ = try Sequential.load(jsonData: Data(#"{"secret": 123.456}"#.utf8), registry: try registry())
            Issue.record("foreign JSON accepted")
        } catch {
            #expect(!"\(error)".contains("123.456"))
        }
    }
}
