import ExamplePlugin
import Foundation
import PrivateLearning
import StandardPlugins
import Testing

/// A third-party-style layer that subtracts the batch mean (mixes examples in the forward pass)
/// and "forgets" to declare `mixesExamples`, plus a learned bias so it has parameters.
final class BatchMeanCentering: Layer {
    let typeName = "batch_mean_centering"
    var configuration: PluginParameters { [:] }
    var parameters: [Tensor] = []
    var width = 0

    func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
        width = inputShape.reduce(1, *)
        parameters = [Tensor(zeros: [width])]
        return inputShape
    }

    func forward(_ input: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        let b = input.rows
        var out = input
        for j in 0..<width {
            var mean: Float = 0
            for i in 0..<b { mean += input[i, j] }
            mean /= Float(max(b, 1))
            for i in 0..<b { out[i, j] = input[i, j] - mean + parameters[0].storage[j] }
        }
        return (out, ())
    }

    func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor {
        outputGradient   // (wrong, as such layers often are — the forward check catches it anyway)
    }

    func parameterGradients(outputGradient delta: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] {
        var g = [Float](repeating: 0, count: width)
        for i in 0..<delta.rows { for j in 0..<width { g[j] += (exampleWeights?[i] ?? 1) * delta[i, j] } }
        return [Tensor(shape: [width], values: g)]
    }
}

/// Mixes only in the backward pass: each example's parameter gradient uses the batch's mean input.
final class BatchMeanGradient: Layer {
    let typeName = "batch_mean_gradient"
    var configuration: PluginParameters { [:] }
    var parameters: [Tensor] = [Tensor(shape: [1], values: [0.5])]

    func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] { inputShape }
    func forward(_ x: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        (Tensor(shape: x.shape, values: x.storage.map { $0 * parameters[0].storage[0] }), x)
    }
    func backward(_ g: Tensor, saved: any Sendable) -> Tensor {
        Tensor(shape: g.shape, values: g.storage.map { $0 * parameters[0].storage[0] })
    }
    func parameterGradients(outputGradient delta: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] {
        let input = savedValue(saved, as: Tensor.self, layer: typeName)
        let mean = input.storage.reduce(0, +) / Float(max(input.count, 1))
        var s: Float = 0
        for i in 0..<delta.rows { for j in 0..<delta.columns { s += (exampleWeights?[i] ?? 1) * delta[i, j] * mean } }
        return [Tensor(shape: [1], values: [s])]
    }
}

@Suite("DP models check example isolation empirically (issue 11, item 5)")
struct MixingCheckTests {
    @Test("a layer that subtracts the batch mean but does not declare it is refused, by name")
    func forwardMixerRefused() throws {
        let model = try Sequential(inputShape: [3], layers: [Dense(4), BatchMeanCentering(), Dense(1)], seed: 1)
        #expect(model.layers[1].mixesExamples == false)   // it "forgot" the flag
        let found = model.exampleMixingLayers()
        #expect(found.map(\.index) == [1])
        #expect(found.first?.layer == "batch_mean_centering")
        #expect(found.first?.reason?.contains("outputs") == true)
        do {
            _ = try PrivateModel(model: model, l2NormClip: 1, noiseMultiplier: 1, noise: .seeded(1))
            Issue.record("the mixing layer was accepted")
        } catch let PrivateLearningError.layersMixExamples(lines) {
            #expect(lines.count == 1)
            #expect(lines[0].hasPrefix("layers[1] (batch_mean_centering): mixes examples within a batch"))
        }
    }

    @Test("a layer that mixes only in its per-example gradients is refused")
    func gradientMixerRefused() throws {
        let model = try Sequential(inputShape: [2], layers: [BatchMeanGradient(), Dense(1)], seed: 1)
        let found = model.exampleMixingLayers()
        #expect(found.map(\.index) == [0])
        #expect(found.first?.reason?.contains("gradients") == true)
        #expect(throws: PrivateLearningError.self) {
            _ = try PrivateModel(model: model, l2NormClip: 1, noiseMultiplier: 1, noise: .seeded(1))
        }
    }

    @Test("standard layers are vetted; an honest third-party layer passes the empirical check")
    func honestLayersAccepted() throws {
        #expect(ExampleIsolationCheck.isVetted(Dense(2)))
        #expect(!ExampleIsolationCheck.isVetted(GatedLinear(units: 2)))
        #expect(!ExampleIsolationCheck.isVetted(BatchNormalization()))
        let model = try Sequential(inputShape: [3], layers: [Dense(4, activation: .relu), GatedLinear(units: 3), Dense(1)], seed: 2)
        #expect(model.exampleMixingLayers().isEmpty)
        _ = try PrivateModel(model: model, l2NormClip: 1, noiseMultiplier: 1, noise: .seeded(1))
        // The check itself passes the vetted layers too (they are skipped only for speed and trust).
        let dense = Dense(3, activation: .tanh)
        var g: any RandomNumberGenerator = SeededRandomSource(seed: 3)
        _ = try dense.build(inputShape: [4], index: 0, using: &g)
        #expect(ExampleIsolationCheck.violation(of: dense, inputShape: [4]) == nil)
    }

    @Test("LayerConformance reports the undeclared mixing")
    func conformanceReportsMixing() throws {
        let report = try LayerConformance.check({ BatchMeanGradient() }, inputShape: [3], finiteDifferences: false)
        #expect(!report.passed)
        #expect(report.failures.contains { $0.hasPrefix("example isolation") })
        let honest = try LayerConformance.check({ GatedLinear(units: 2) }, inputShape: [3], finiteDifferences: false)
        #expect(!honest.failures.contains { $0.hasPrefix("example isolation") })
    }
}
