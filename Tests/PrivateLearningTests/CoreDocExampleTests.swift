import DPTestSupport
import PrivateLearning
import StandardPlugins
import Testing

/// The "Writing a layer plugin" example of docs/core.md, kept compiling and conforming.
final class DocScale: Layer {
    let typeName = "scale"
    var configuration: PluginParameters { [:] }
    var parameters: [Tensor] = []
    var x = Tensor(zeros: [0, 0]), delta = Tensor(zeros: [0, 0])

    init() {}
    func build(inputShape: [Int], index: Int, using g: inout any RandomNumberGenerator) throws -> [Int] {
        parameters = [Tensor(repeating: 1, shape: inputShape)]
        return inputShape
    }
    func forward(_ input: Tensor, training: Bool) -> Tensor {
        if training { x = input }
        var y = input
        for r in 0..<input.rows { for j in 0..<input.columns { y[r, j] *= parameters[0].storage[j] } }
        return y
    }
    func backward(_ g: Tensor) -> Tensor {
        delta = g
        var dx = g
        for r in 0..<g.rows { for j in 0..<g.columns { dx[r, j] *= parameters[0].storage[j] } }
        return dx
    }
    func parameterGradients(exampleWeights w: [Float]?) -> [Tensor] {
        var s = Tensor(zeros: parameters[0].shape)
        for r in 0..<delta.rows { for j in 0..<delta.columns { s.storage[j] += (w?[r] ?? 1) * x[r, j] * delta[r, j] } }
        return [s]
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
        let model = try Sequential(inputShape: [5], layers: [try registry.makeLayer("scale"), try registry.makeLayer("dense", parameters: ["units": .int(1), "activation": .string("sigmoid")])], seed: 1)
        let dp = try PrivateModel(model: model, l2NormClip: 1, noiseMultiplier: 0.5, noise: .seeded(2))
        dp.compile(optimizer: try registry.makeOptimizer("sgd", parameters: ["learning_rate": .double(0.1)]),
                   loss: try registry.makeLoss("binary_crossentropy"))
        let x = Fixtures.gaussian(shape: [64, 5], seed: 3)
        let y = Tensor(shape: [64, 1], values: (0..<64).map { x[$0, 0] > 0 ? 1 : 0 })
        let before = model.parameters
        let h = try dp.fit(try PoissonLoader(features: x, labels: y, batchSize: 16), epochs: 2, targetDelta: 1e-5)
        #expect(h.steps == 8)
        #expect(model.parameters[0] != before[0], "the generic-fallback layer must be trained too")
    }
}
