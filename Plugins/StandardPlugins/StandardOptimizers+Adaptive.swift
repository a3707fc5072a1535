import PrivateLearning

extension StandardPlugins {
    /// A number in [0, 1), e.g. a decay rate or momentum.
    static func unitInterval(_ r: ParameterReader, _ name: String, default value: Double) throws -> Double {
        let v = try r.double(name, default: value, in: 0...)
        guard v < 1 else {
            throw PrivateLearningError.invalidParameter(plugin: r.plugin, parameter: name, expected: "a number in [0, 1)")
        }
        return v
    }

    /// AdamW, Adagrad and RMSprop with Keras names and defaults.
    static func registerAdaptiveOptimizers(into registry: inout PluginRegistry) throws {
        try registry.registerOptimizer(
            "adamw", summary: "Adam with decoupled weight decay (Keras defaults)",
            parameters: [
                ParameterDescription("learning_rate", type: "number > 0", default: "0.001", "step size"),
                ParameterDescription("weight_decay", type: "number ≥ 0", default: "0.004",
                                     "decoupled decay: p ← p − learning_rate·weight_decay·p each step"),
                ParameterDescription("beta_1", type: "number in [0, 1)", default: "0.9", "first-moment decay"),
                ParameterDescription("beta_2", type: "number in [0, 1)", default: "0.999", "second-moment decay"),
                ParameterDescription("epsilon", type: "number > 0", default: "1e-07", "denominator offset"),
            ]
        ) { params in
            let r = ParameterReader(plugin: "adamw", parameters: params)
            try r.rejectUnknown(["learning_rate", "weight_decay", "beta_1", "beta_2", "epsilon", "amsgrad", "name"])
            guard try r.bool("amsgrad", default: false) == false else {
                throw PrivateLearningError.invalidParameter(plugin: "adamw", parameter: "amsgrad", expected: "false (AMSGrad is not implemented)")
            }
            return AdamW(learningRate: Float(try r.double("learning_rate", default: 0.001, in: 0..., exclusiveLower: true)),
                         weightDecay: Float(try r.double("weight_decay", default: 0.004, in: 0...)),
                         beta1: Float(try unitInterval(r, "beta_1", default: 0.9)),
                         beta2: Float(try unitInterval(r, "beta_2", default: 0.999)),
                         epsilon: Float(try r.double("epsilon", default: 1e-7, in: 0..., exclusiveLower: true)))
        }

        try registry.registerOptimizer(
            "adagrad", summary: "Adagrad: per-coordinate steps scaled by accumulated squared gradients (Keras defaults)",
            parameters: [
                ParameterDescription("learning_rate", type: "number > 0", default: "0.001", "step size"),
                ParameterDescription("initial_accumulator_value", type: "number ≥ 0", default: "0.1", "starting accumulator"),
                ParameterDescription("epsilon", type: "number > 0", default: "1e-07", "added inside the square root"),
            ]
        ) { params in
            let r = ParameterReader(plugin: "adagrad", parameters: params)
            try r.rejectUnknown(["learning_rate", "initial_accumulator_value", "epsilon", "name"])
            return Adagrad(learningRate: Float(try r.double("learning_rate", default: 0.001, in: 0..., exclusiveLower: true)),
                           initialAccumulatorValue: Float(try r.double("initial_accumulator_value", default: 0.1, in: 0...)),
                           epsilon: Float(try r.double("epsilon", default: 1e-7, in: 0..., exclusiveLower: true)))
        }

        try registry.registerOptimizer(
            "rmsprop", summary: "RMSprop with optional momentum and centering (Keras defaults)",
            parameters: [
                ParameterDescription("learning_rate", type: "number > 0", default: "0.001", "step size"),
                ParameterDescription("rho", type: "number in [0, 1)", default: "0.9", "discount of the squared-gradient average"),
                ParameterDescription("momentum", type: "number in [0, 1)", default: "0", "momentum"),
                ParameterDescription("epsilon", type: "number > 0", default: "1e-07", "added inside the square root"),
                ParameterDescription("centered", type: "bool", default: "false", "divide by the gradient's variance estimate"),
            ]
        ) { params in
            let r = ParameterReader(plugin: "rmsprop", parameters: params)
            try r.rejectUnknown(["learning_rate", "rho", "momentum", "epsilon", "centered", "name"])
            return RMSprop(learningRate: Float(try r.double("learning_rate", default: 0.001, in: 0..., exclusiveLower: true)),
                           rho: Float(try unitInterval(r, "rho", default: 0.9)),
                           momentum: Float(try unitInterval(r, "momentum", default: 0)),
                           epsilon: Float(try r.double("epsilon", default: 1e-7, in: 0..., exclusiveLower: true)),
                           centered: try r.bool("centered", default: false))
        }
    }
}
