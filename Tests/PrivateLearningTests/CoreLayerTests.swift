import DPTestSupport
import PrivateLearning
import StandardPlugins
import Testing

@Suite("Core: layers pass the conformance checker")
struct CoreLayerTests {
    @Test("Dense with every activation: per-example gradients, fast norms, reductions, finite differences",
          arguments: ActivationFunction.allCases)
    func denseConforms(activation: ActivationFunction) throws {
        let report = try LayerConformance.check({ Dense(4, activation: activation) }, inputShape: [5], batchSize: 6, seed: 3)
        #expect(report.passed, "\(report)")
    }

    @Test("Dense without bias conforms")
    func denseNoBias() throws {
        let report = try LayerConformance.check({ Dense(3, activation: .tanh, useBias: false) }, inputShape: [4])
        #expect(report.passed, "\(report)")
    }

    @Test("Activation layer conforms", arguments: [ActivationFunction.relu, .sigmoid, .softmax, .gelu])
    func activationLayer(function: ActivationFunction) throws {
        let report = try LayerConformance.check({ Activation(function) }, inputShape: [5])
        #expect(report.passed, "\(report)")
    }

    /// A deliberately wrong layer: its "fast" norms are off by a factor of 2. The checker must fail it.
    final class WrongNormsDense: Layer, PerExampleGradientNorms {
        let inner = Dense(3)
        var typeName: String { "wrong_norms" }
        var configuration: PluginParameters { [:] }
        var parameters: [Tensor] { get { inner.parameters } set { inner.parameters = newValue } }
        func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
            try inner.build(inputShape: inputShape, index: index, using: &generator)
        }
        func forward(_ input: Tensor, training: Bool) -> Tensor { inner.forward(input, training: training) }
        func backward(_ outputGradient: Tensor) -> Tensor { inner.backward(outputGradient) }
        func parameterGradients(exampleWeights: [Float]?) -> [Tensor] { inner.parameterGradients(exampleWeights: exampleWeights) }
        func perExampleSquaredGradientNorms() -> [Float] { inner.perExampleSquaredGradientNorms().map { 2 * $0 } }
    }

    @Test("the conformance checker catches wrong fast norms")
    func checkerCatchesWrongNorms() throws {
        let report = try LayerConformance.check({ WrongNormsDense() }, inputShape: [4])
        #expect(!report.passed)
        #expect(report.failures.contains { $0.contains("fast per-example squared norms") })
    }

    @Test("Dense refuses non-flat inputs with the layer position")
    func denseShapeError() throws {
        #expect(throws: PrivateLearningError.self) {
            _ = try Sequential(inputShape: [2, 3], layers: [Dense(2)])
        }
    }
}

@Suite("Core: conformance checker catches example mixing")
struct CoreConformanceMixingTests {
    /// Subtracts the batch mean but does not declare `mixesExamples`: per-example clipping
    /// would be wrong for it, and the checker must say so.
    final class UndeclaredBatchCentering: Layer {
        var typeName: String { "undeclared_centering" }
        var configuration: PluginParameters { [:] }
        var parameters: [Tensor] = []
        func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] { inputShape }
        func forward(_ input: Tensor, training: Bool) -> Tensor {
            var out = input
            for j in 0..<input.columns {
                var mean: Float = 0
                for r in 0..<input.rows { mean += input[r, j] }
                mean /= Float(input.rows)
                for r in 0..<input.rows { out[r, j] -= mean }
            }
            return out
        }
        func backward(_ outputGradient: Tensor) -> Tensor { outputGradient }
        func parameterGradients(exampleWeights: [Float]?) -> [Tensor] { [] }
    }

    @Test("a layer that mixes examples without declaring it fails the checker")
    func undeclaredMixingFails() throws {
        let report = try LayerConformance.check({ UndeclaredBatchCentering() }, inputShape: [3], finiteDifferences: false)
        #expect(!report.passed)
        #expect(report.failures.contains { $0.contains("equals single-example forward") })
    }
}

@Suite("Core: conformance checker with custom inputs")
struct CoreConformanceInputsTests {
    @Test("embedding conforms on integer token inputs (input finite differences off)")
    func embeddingWithTokens() throws {
        let tokens = Tensor(shape: [4, 5], values: [0, 1, 1, 6, 2, 3, 3, 3, 3, 3, 6, 5, 4, 0, 1, 2, 2, 0, 2, 6])
        let report = try LayerConformance.check({ try StandardPluginsTestAccess.embedding() }, inputShape: [5],
                                                inputs: tokens, inputFiniteDifferences: false)
        #expect(report.passed, "\(report)")
    }
}

enum StandardPluginsTestAccess {
    static func embedding() throws -> any Layer {
        var r = PluginRegistry()
        try StandardPlugins.register(into: &r)
        return try r.makeLayer("embedding", parameters: ["input_dim": .int(7), "output_dim": .int(3)])
    }
}
