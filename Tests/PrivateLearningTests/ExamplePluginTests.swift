import DPTestSupport
import ExamplePlugin
import Foundation
import PrivateLearning
import StandardPlugins
import Testing

/// The third-party plugin example: registration next to the standard pack, the conformance
/// checker on a layer without a fast per-example path, finite differences, and a private
/// training run on the breast-cancer data.
@Suite("Plugins: example third-party plugin")
struct ExamplePluginTests {
    static func registry() throws -> PluginRegistry {
        var r = PluginRegistry()
        try StandardPlugins.register(into: &r)
        try ExamplePlugin.register(into: &r)
        return r
    }

    @Test("registers into a fresh registry beside the standard plugins; twice is a duplicate")
    func registration() throws {
        var r = try Self.registry()
        #expect(r.layerNames.contains("gated_linear") && r.layerNames.contains("dense"))
        #expect(r.lossNames.contains("focal_binary_crossentropy") && r.lossNames.contains("binary_crossentropy"))
        #expect(throws: PrivateLearningError.duplicatePlugin(kind: "layer", name: "gated_linear")) {
            try ExamplePlugin.register(into: &r)
        }
        #expect(throws: PrivateLearningError.missingParameter(plugin: "gated_linear", parameter: "units")) {
            _ = try r.makeLayer("gated_linear")
        }
        #expect(throws: PrivateLearningError.invalidParameter(plugin: "focal_binary_crossentropy", parameter: "gamma",
                                                              expected: "a number ≥ 0.0")) {
            _ = try r.makeLoss("focal_binary_crossentropy", parameters: ["gamma": .double(-1)])
        }
        let layer = try r.makeLayer("gated_linear", parameters: ["units": .int(3)])
        #expect(try r.makeLayer("gated_linear", parameters: layer.configuration).configuration == layer.configuration)
    }

    @Test("gated_linear passes LayerConformance.check through the generic fallback")
    func conformance() throws {
        let layer = GatedLinear(units: 4)
        #expect(try Self.registry().normSampler(for: layer) == nil, "the example exercises the fallback path")
        let report = try LayerConformance.check({ GatedLinear(units: 4) }, inputShape: [5], batchSize: 7, registry: Self.registry())
        #expect(report.passed, "\(report)")
        #expect(report.maxRelativeErrors.keys.contains("fallback per-example squared norms"))
    }

    @Test("focal loss matches Keras binary_focal_crossentropy and finite differences")
    func focalLoss() {
        let p = Tensor([[0.9, 0.2], [0.3, 0.6], [0.05, 0.99]])
        let y = Tensor([[1, 0], [1, 1], [0, 1]])
        // Keras 3.15.1, scripts/plugins/reference_values.py (float32).
        assertClose(FocalBinaryCrossentropy(gamma: 2).perExampleLoss(predictions: p, targets: y),
                    [0.00498967338, 0.335839361, 6.46191766e-05], rtol: 1e-4)
        assertClose(FocalBinaryCrossentropy(gamma: 0.5).perExampleLoss(predictions: p, targets: y),
                    [0.0665553808, 0.665195167, 0.00623728288], rtol: 1e-4)
        // γ = 0 is binary cross-entropy.
        assertClose(FocalBinaryCrossentropy(gamma: 0).perExampleLoss(predictions: p, targets: y),
                    BinaryCrossentropy().perExampleLoss(predictions: p, targets: y), rtol: 1e-6)
        let soft = Tensor([[0.8, 0.1], [0.5, 0.7], [0.2, 0.9]])
        for gamma: Float in [0, 0.5, 2, 3] {
            PluginGradientChecks.checkLossGradient(FocalBinaryCrossentropy(gamma: gamma), predictions: p, targets: y,
                                                   h: 1e-3, rtol: 1e-2, atol: 2e-3)
            PluginGradientChecks.checkLossGradient(FocalBinaryCrossentropy(gamma: gamma), predictions: p, targets: soft)
            let z = Tensor([[2, -1], [0.5, -0.3], [-2.5, 3]])
            PluginGradientChecks.checkLossGradient(FocalBinaryCrossentropy(gamma: gamma, fromLogits: true), predictions: z, targets: y)
        }
        PluginGradientChecks.checkPerExample(FocalBinaryCrossentropy(), predictions: p, targets: y)
    }

    @Test("DP-SGD with gated_linear and focal loss from the registry reaches ≥ 85% test accuracy on breast cancer")
    func privateTraining() throws {
        let data = try CoreBreastCancerTests.load()
        let r = try Self.registry()
        let model = try Sequential(inputShape: [30], layers: [
            try r.makeLayer("gated_linear", parameters: ["units": .int(8)]),
            try r.makeLayer("dense", parameters: ["units": .int(1), "activation": .string("sigmoid")]),
        ], seed: 5)
        let dp = try PrivateModel(model: model, l2NormClip: 1.0, noiseMultiplier: 1.0, noise: .seeded(17))
        dp.compile(optimizer: try r.makeOptimizer("adam", parameters: ["learning_rate": .double(0.02)]),
                   loss: try r.makeLoss("focal_binary_crossentropy", parameters: ["gamma": .double(2)]), metrics: [.accuracy])
        let loader = try PoissonLoader(features: data.trainX, labels: data.trainY, batchSize: 32)
        let history = try dp.fit(loader, epochs: 20, targetDelta: 1e-5)
        #expect(history.steps == 20 * loader.stepsPerEpoch)
        #expect(!history.isPrivate)   // seeded noise: reproducible, therefore not private
        #expect(history.loss.last! < history.loss.first!)
        let accuracy = try #require(try dp.evaluate(data.testX, data.testY)["accuracy"])
        #expect(accuracy >= 0.85, "test accuracy \(accuracy)")
    }
}
