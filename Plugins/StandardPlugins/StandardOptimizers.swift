import PrivateLearning

extension StandardPlugins {
    static func registerOptimizers(into registry: inout PluginRegistry) throws {
        try registry.registerOptimizer(
            "sgd", summary: "stochastic gradient descent with optional (Nesterov) momentum",
            parameters: [
                ParameterDescription("learning_rate", type: "number > 0", default: "0.01", "step size"),
                ParameterDescription("momentum", type: "number in [0, 1)", default: "0", "momentum"),
                ParameterDescription("nesterov", type: "bool", default: "false", "Nesterov momentum"),
            ]
        ) { params in
            let r = ParameterReader(plugin: "sgd", parameters: params)
            try r.rejectUnknown(["learning_rate", "momentum", "nesterov", "name"])
            let lr = try r.double("learning_rate", default: 0.01, in: 0..., exclusiveLower: true)
            let m = try r.double("momentum", default: 0, in: 0...)
            guard m < 1 else {
                throw PrivateLearningError.invalidParameter(plugin: "sgd", parameter: "momentum", expected: "a number in [0, 1)")
            }
            return SGD(learningRate: Float(lr), momentum: Float(m), nesterov: try r.bool("nesterov", default: false))
        }
        try registry.registerOptimizer(
            "adam", summary: "Adam with bias correction (Keras defaults)",
            parameters: [
                ParameterDescription("learning_rate", type: "number > 0", default: "0.001", "step size"),
                ParameterDescription("beta_1", type: "number in [0, 1)", default: "0.9", "first-moment decay"),
                ParameterDescription("beta_2", type: "number in [0, 1)", default: "0.999", "second-moment decay"),
                ParameterDescription("epsilon", type: "number > 0", default: "1e-07", "denominator offset"),
            ]
        ) { params in
            let r = ParameterReader(plugin: "adam", parameters: params)
            try r.rejectUnknown(["learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad", "name"])
            let lr = try r.double("learning_rate", default: 0.001, in: 0..., exclusiveLower: true)
            let b1 = try r.double("beta_1", default: 0.9, in: 0...)
            let b2 = try r.double("beta_2", default: 0.999, in: 0...)
            let eps = try r.double("epsilon", default: 1e-7, in: 0..., exclusiveLower: true)
            for (name, v) in [("beta_1", b1), ("beta_2", b2)] where v >= 1 {
                throw PrivateLearningError.invalidParameter(plugin: "adam", parameter: name, expected: "a number in [0, 1)")
            }
            return Adam(learningRate: Float(lr), beta1: Float(b1), beta2: Float(b2), epsilon: Float(eps))
        }
        try registerAdaptiveOptimizers(into: &registry)
    }
}
