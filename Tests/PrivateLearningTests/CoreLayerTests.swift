import DPTestSupport
import PrivateLearning
import StandardPlugins
import Testing

@Suite("Core: layers pass the conformance checker")
struct CoreLayerTests {
    @Test("Dense with every activation: per-example gradients, fast norms, reductions, finite differences",
          arguments: ActivationFunction.allCases)
    func denseConforms(activation: ActivationFunction) throws {
        let report = try LayerConformance.check({ Dense(4, activation: activation) }, inputShape: [5], batchSize: 6, seed: 3,
                                                registry: StandardPluginsTestAccess.registry())
        #expect(report.maxRelativeErrors.keys.contains("registered norm sampler, per-unit squared norms"))
        #expect(report.passed, "\(report)")
    }

    @Test("Dense without bias conforms")
    func denseNoBias() throws {
        let report = try LayerConformance.check({ Dense(3, activation: .tanh, useBias: false) }, inputShape: [4],
                                                registry: StandardPluginsTestAccess.registry())
        #expect(report.passed, "\(report)")
    }

    @Test("Activation layer conforms", arguments: [ActivationFunction.relu, .sigmoid, .softmax, .gelu])
    func activationLayer(function: ActivationFunction) throws {
        let report = try LayerConformance.check({ Activation(function) }, inputShape: [5], registry: StandardPluginsTestAccess.registry())
        #expect(report.passed, "\(report)")
    }

    /// A deliberately wrong layer: its registered "fast" norms are off by a factor of 2. The checker must fail it.
    final class WrongNormsDense: Layer {
        let inner = Dense(3)
        var typeName: String { "wrong_norms" }
        var configuration: PluginParameters { [:] }
        var parameters: [Tensor] { get { inner.parameters } set { inner.parameters = newValue } }
        func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
            try inner.build(inputShape: inputShape, index: index, using: &generator)
        }
        func forward(_ input: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) { inner.forward(input, training: training) }
        func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor { inner.backward(outputGradient, saved: saved) }
        func parameterGradients(outputGradient: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] {
            inner.parameterGradients(outputGradient: outputGradient, saved: saved, exampleWeights: exampleWeights)
        }
    }

    @Test("the conformance checker catches wrong registered norms")
    func checkerCatchesWrongNorms() throws {
        var registry = PluginRegistry()
        try registry.registerNormSampler(for: WrongNormsDense.self) { layer, input in
            Dense.squaredNorms(layer.inner, input).map { 2 * $0 }
        }
        let report = try LayerConformance.check({ WrongNormsDense() }, inputShape: [4], registry: registry)
        #expect(!report.passed)
        #expect(report.failures.contains { $0.contains("registered norm sampler, per-example squared norms") })
        #expect(report.failures.contains { $0.contains("registered norm sampler, per-unit squared norms") })
        // Without the wrong sampler the same layer conforms through the fallback.
        #expect(try LayerConformance.check({ WrongNormsDense() }, inputShape: [4]).passed)
    }

    /// A layer that caches its last input instead of returning it: wrong once two batches interleave.
    final class CachingScale: Layer {
        var typeName: String { "caching_scale" }
        var configuration: PluginParameters { [:] }
        var parameters: [Tensor] = []
        var lastInput = Tensor(zeros: [0, 0])
        func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
            parameters = [Tensor(repeating: 0.5, shape: inputShape)]
            return inputShape
        }
        func forward(_ input: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
            lastInput = input
            var y = input
            for r in 0..<input.rows { for j in 0..<input.columns { y[r, j] *= parameters[0].storage[j] } }
            return (y, ())
        }
        func backward(_ g: Tensor, saved: any Sendable) -> Tensor {
            var dx = g
            for r in 0..<g.rows { for j in 0..<g.columns { dx[r, j] *= parameters[0].storage[j] } }
            return dx
        }
        func parameterGradients(outputGradient g: Tensor, saved: any Sendable, exampleWeights w: [Float]?) -> [Tensor] {
            var s = Tensor(zeros: parameters[0].shape)
            for r in 0..<g.rows { for j in 0..<g.columns { s.storage[j] += (w?[r] ?? 1) * lastInput[r, j] * g[r, j] } }
            return [s]
        }
    }

    @Test("the conformance checker catches a layer that keeps batch state instead of returning it")
    func checkerCatchesCachedState() throws {
        let report = try LayerConformance.check({ CachingScale() }, inputShape: [4], finiteDifferences: false)
        #expect(!report.passed)
        #expect(report.failures.contains { $0.contains("stateless: gradients") })
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
        func forward(_ input: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
            var out = input
            for j in 0..<input.columns {
                var mean: Float = 0
                for r in 0..<input.rows { mean += input[r, j] }
                mean /= Float(input.rows)
                for r in 0..<input.rows { out[r, j] -= mean }
            }
            return (out, ())
        }
        func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor { outputGradient }
        func parameterGradients(outputGradient: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] { [] }
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
                                                inputs: tokens, inputFiniteDifferences: false,
                                                registry: StandardPluginsTestAccess.registry())
        #expect(report.maxRelativeErrors.keys.contains("registered norm sampler, per-unit squared norms"))
        #expect(report.passed, "\(report)")
    }
}

enum StandardPluginsTestAccess {
    /// A registry with the standard plugins and their norm samplers.
    static func registry() throws -> PluginRegistry {
        var r = PluginRegistry()
        try StandardPlugins.register(into: &r)
        return r
    }

    static func embedding() throws -> any Layer {
        var r = PluginRegistry()
        try StandardPlugins.register(into: &r)
        return try r.makeLayer("embedding", parameters: ["input_dim": .int(7), "output_dim": .int(3)])
    }
}
