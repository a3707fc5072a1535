import DPTestSupport
import PrivateLearning
import StandardPlugins
import Testing

/// The "Writing a layer plugin" example of docs/core.md, kept compiling and conforming.
final class DocScale: Layer {                    // y = x ⊙ s, one learnable scale per feature
    let typeName = "scale"
    var configuration: PluginParameters { [:] }
    var parameters: [Tensor] = []

    init() {}
    func build(inputShape: [Int], index: Int, using g: inout any RandomNumberGenerator) throws -> [Int] {
        parameters = [Tensor(repeating: 1, shape: inputShape)]
        return inputShape
    }
    func forward(_ input: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        var y = input
        for r in 0..<input.rows { for j in 0..<input.columns { y[r, j] *= parameters[0].storage[j] } }
        return (y, input)                           // backward needs x: saved, not cached in the layer
    }
    func backward(_ g: Tensor, saved: any Sendable) -> Tensor {
        var dx = g
        for r in 0..<g.rows { for j in 0..<g.columns { dx[r, j] *= parameters[0].storage[j] } }
        return dx
    }
    func parameterGradients(outputGradient g: Tensor, saved: any Sendable, exampleWeights w: [Float]?) -> [Tensor] {
        let x = savedValue(saved, as: Tensor.self, layer: typeName)
        var s = Tensor(zeros: parameters[0].shape)
        for r in 0..<g.rows { for j in 0..<g.columns { s.storage[j] += (w?[r] ?? 1) * x[r, j] * g[r, j] } }
        return [s]
    }
}

/// The docs' norm sampler for `DocScale`: unit u's gradient is `Σ_{i∈u} x_i ⊙ g_i`.
func docScaleSquaredNorms(_ layer: DocScale, _ input: NormSamplerInput) -> [Float] {
    let x = savedValue(input.saved, as: Tensor.self, layer: layer.typeName), g = input.outputGradient
    return (0..<input.units.count).map { u in
        var s = [Float](repeating: 0, count: x.columns)
        for r in input.units.rows(of: u) { for j in 0..<x.columns { s[j] += x[r, j] * g[r, j] } }
        return s.reduce(0) { $0 + $1 * $1 }
    }
}

@Suite("Core: documented plugin example")
struct CoreDocExampleTests {
    @Test("the docs/core.md layer registers, passes the conformance checker and trains privately")
    func docExample() throws {
        var registry = PluginRegistry()
        try StandardPlugins.register(into: &registry)
        try registry.registerLayer("scale", summary: "per-feature learnable scale") { params in
            try ParameterReader(plugin: "scale", parameters: params).rejectUnknown([])
            return DocScale()
        }
        let report = try LayerConformance.check({ DocScale() }, inputShape: [5])
        #expect(report.passed, "\(report)")
        try registry.registerNormSampler(for: DocScale.self, docScaleSquaredNorms)
        let fast = try LayerConformance.check({ DocScale() }, inputShape: [5], registry: registry)
        #expect(fast.passed, "\(fast)")
        #expect(fast.maxRelativeErrors.keys.contains("registered norm sampler, per-unit squared norms"))
        let model = try Sequential(inputShape: [5], layers: [try registry.makeLayer("scale"), try registry.makeLayer("dense", parameters: ["units": .int(1), "activation": .string("sigmoid")])], seed: 1)
        let dp = try PrivateModel(model: model, l2NormClip: 1, noiseMultiplier: 0.5, noise: .seeded(2), registry: registry)
        dp.compile(optimizer: try registry.makeOptimizer("sgd", parameters: ["learning_rate": .double(0.1)]),
                   loss: try registry.makeLoss("binary_crossentropy"))
        let x = Fixtures.gaussian(shape: [64, 5], seed: 3)
        let y = Tensor(shape: [64, 1], values: (0..<64).map { x[$0, 0] > 0 ? 1 : 0 })
        let before = model.parameters
        let h = try dp.fit(try PoissonLoader(features: x, labels: y, batchSize: 16), epochs: 2, targetDelta: 1e-5)
        #expect(h.steps == 8)
        #expect(model.parameters[0] != before[0], "the layer with a registered norm sampler must be trained too")
    }
}
