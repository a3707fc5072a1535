import DPTestSupport
import PrivateLearning
import StandardPlugins
import Testing

/// AdamW, Adagrad and RMSprop against Keras 3.15.1 (`scripts/plugins/reference_values.py`):
/// start from w₀ = [1, −2, 0.5] and apply the gradients g₁ = [0.1, −0.2, 0.3],
/// g₂ = [−0.5, 0.4, 0], g₃ = [0.2, 0.2, −0.1]; the expected parameters after each step are
/// Keras' float32 results.
///
/// Tolerance: each step is a handful of float32 operations on values of size ≤ 2, so each
/// coordinate carries ≲ 10 ulp(2) ≈ 2.4e-6 of rounding after three steps (atol 3e-6).
@Suite("Plugins: optimizers")
struct PluginOptimizerTests {
    static let gradients: [[Float]] = [[0.1, -0.2, 0.3], [-0.5, 0.4, 0.0], [0.2, 0.2, -0.1]]

    /// Runs the three steps with the parameters split over two tensors ([2] and [1]), which
    /// also checks that per-slot state stays with its slot.
    static func trajectory(_ optimizer: any Optimizer) -> [[Float]] {
        var params = [Tensor(shape: [2], values: [1, -2]), Tensor(shape: [1], values: [0.5])]
        var out: [[Float]] = []
        for g in gradients {
            optimizer.update(parameters: &params, gradients: [Tensor(shape: [2], values: Array(g[0..<2])),
                                                              Tensor(shape: [1], values: [g[2]])])
            out.append(params.flatMap(\.storage))
        }
        return out
    }

    static func expectTrajectory(_ optimizer: any Optimizer, _ expected: [[Float]],
                                 sourceLocation: SourceLocation = #_sourceLocation) {
        let got = trajectory(optimizer)
        for (step, (g, e)) in zip(got, expected).enumerated() {
            assertClose(g, e, rtol: 0, atol: 3e-6, "\(optimizer.typeName) step \(step + 1)", sourceLocation: sourceLocation)
        }
    }

    @Test("adamw matches Keras (default weight decay 0.004, and 0.1)")
    func adamw() {
        Self.expectTrajectory(AdamW(learningRate: 0.01), [
            [0.989960372, -1.98992026, 0.489980161],
            [0.995904267, -1.99350154, 0.483260095],
            [0.997836351, -1.99861419, 0.480349451],
        ])
        Self.expectTrajectory(AdamW(learningRate: 0.1, weightDecay: 0.1), [
            [0.8900038, -1.88000226, 0.395001709],
            [0.940938175, -1.89781201, 0.324047238],
            [0.951248109, -1.9307574, 0.291893631],
        ])
    }

    @Test("adamw with zero weight decay equals adam")
    func adamwWithoutDecayIsAdam() {
        let a = Self.trajectory(AdamW(learningRate: 0.05, weightDecay: 0))
        let b = Self.trajectory(Adam(learningRate: 0.05))
        for (x, y) in zip(a, b) { assertClose(x, y, rtol: 1e-6, atol: 1e-7) }
    }

    @Test("adagrad matches Keras (defaults, and learning rate 0.1)")
    func adagrad() {
        Self.expectTrajectory(Adagrad(), [
            [0.99969846, -1.99946547, 0.499311745],
            [1.00053179, -2.00019574, 0.499311745],
            [1.00021553, -2.00053883, 0.499535352],
        ])
        Self.expectTrajectory(Adagrad(learningRate: 0.1), [
            [0.969848871, -1.94654775, 0.431175292],
            [1.05318224, -2.0195775, 0.431175292],
            [1.02155948, -2.05387712, 0.453535974],
        ])
    }

    @Test("rmsprop matches Keras (plain, and centered with momentum 0.9)")
    func rmsprop() {
        Self.expectTrajectory(RMSprop(learningRate: 0.01), [
            [0.968378782, -1.96837759, 0.468377411],
            [0.999447227, -1.99694896, 0.468377411],
            [0.987344921, -2.01054454, 0.479360402],
        ])
        Self.expectTrajectory(RMSprop(learningRate: 0.01, momentum: 0.9, centered: true), [
            [0.966668546, -1.96666718, 0.466666877],
            [0.968798757, -1.96559834, 0.436667055],
            [0.958549857, -1.97875881, 0.420788229],
        ])
    }

    @Test("registry defaults are Keras' defaults")
    func registryDefaults() throws {
        var registry = PluginRegistry()
        try StandardPlugins.register(into: &registry)
        let w = try #require(try registry.makeOptimizer("adamw") as? AdamW)
        #expect(w.learningRate == 0.001 && w.weightDecay == 0.004 && w.beta1 == 0.9 && w.beta2 == 0.999 && w.epsilon == 1e-7)
        let a = try #require(try registry.makeOptimizer("adagrad") as? Adagrad)
        #expect(a.learningRate == 0.001 && a.initialAccumulatorValue == 0.1 && a.epsilon == 1e-7)
        let r = try #require(try registry.makeOptimizer("rmsprop") as? RMSprop)
        #expect(r.learningRate == 0.001 && r.rho == 0.9 && r.momentum == 0 && r.epsilon == 1e-7 && !r.centered)
        // The configuration rebuilds an identical optimizer (model save/load).
        let rebuilt = try #require(try registry.makeOptimizer("rmsprop", parameters: r.configuration) as? RMSprop)
        #expect(rebuilt.configuration == r.configuration)
    }

    @Test("bad optimizer parameters are refused by name", arguments: [
        ("adamw", ["weight_decay": PluginParameter.double(-0.1)],
         PrivateLearningError.invalidParameter(plugin: "adamw", parameter: "weight_decay", expected: "a number ≥ 0.0")),
        ("adamw", ["beta_1": .double(1.0)], .invalidParameter(plugin: "adamw", parameter: "beta_1", expected: "a number in [0, 1)")),
        ("adamw", ["amsgrad": .bool(true)],
         .invalidParameter(plugin: "adamw", parameter: "amsgrad", expected: "false (AMSGrad is not implemented)")),
        ("adagrad", ["learning_rate": .int(0)], .invalidParameter(plugin: "adagrad", parameter: "learning_rate", expected: "a number > 0.0")),
        ("adagrad", ["initial_accumulator_value": .string("x")],
         .invalidParameter(plugin: "adagrad", parameter: "initial_accumulator_value", expected: "a number ≥ 0.0")),
        ("rmsprop", ["rho": .double(1.5)], .invalidParameter(plugin: "rmsprop", parameter: "rho", expected: "a number in [0, 1)")),
        ("rmsprop", ["centred": .bool(true)], .unknownParameter(plugin: "rmsprop", parameter: "centred", suggestion: "centered")),
        ("rmsprop", ["centered": .int(1)], .invalidParameter(plugin: "rmsprop", parameter: "centered", expected: "true or false")),
    ] as [(String, PluginParameters, PrivateLearningError)])
    func badParameters(name: String, params: PluginParameters, expected: PrivateLearningError) throws {
        var registry = PluginRegistry()
        try StandardPlugins.register(into: &registry)
        #expect(throws: expected) { _ = try registry.makeOptimizer(name, parameters: params) }
    }
}
