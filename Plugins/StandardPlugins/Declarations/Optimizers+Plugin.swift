import PrivateLearning

extension SGD {
    public static let declaration = PluginDeclaration(
        optimizer: "sgd", summary: "stochastic gradient descent with optional (Nesterov) momentum",
        parameters: [
            .number("learning_rate", .positive, default: 0.01, "step size"),
            .number("momentum", .unitOpen, default: 0, "momentum"),
            .bool("nesterov", default: false, "Nesterov momentum"),
        ])

    static func make(_ p: DeclaredParameters) throws -> SGD {
        SGD(learningRate: try p.float("learning_rate"), momentum: try p.float("momentum"), nesterov: try p.bool("nesterov"))
    }
}

extension Adam {
    public static let declaration = PluginDeclaration(
        optimizer: "adam", summary: "Adam with bias correction (Keras defaults)",
        parameters: [
            .number("learning_rate", .positive, default: 0.001, "step size"),
            .number("beta_1", .unitOpen, default: 0.9, "first-moment decay"),
            .number("beta_2", .unitOpen, default: 0.999, "second-moment decay"),
            .number("epsilon", .positive, default: 1e-7, "denominator offset"),
            .fixed("amsgrad", [.bool(false)], expected: "false (AMSGrad is not implemented)"),
        ])

    static func make(_ p: DeclaredParameters) throws -> Adam {
        Adam(learningRate: try p.float("learning_rate"), beta1: try p.float("beta_1"), beta2: try p.float("beta_2"),
             epsilon: try p.float("epsilon"))
    }
}

extension AdamW {
    public static let declaration = PluginDeclaration(
        optimizer: "adamw", summary: "Adam with decoupled weight decay (Keras defaults)",
        parameters: [
            .number("learning_rate", .positive, default: 0.001, "step size"),
            .number("weight_decay", .nonNegative, default: 0.004, "decoupled decay: p ← p − learning_rate·weight_decay·p each step"),
            .number("beta_1", .unitOpen, default: 0.9, "first-moment decay"),
            .number("beta_2", .unitOpen, default: 0.999, "second-moment decay"),
            .number("epsilon", .positive, default: 1e-7, "denominator offset"),
            .fixed("amsgrad", [.bool(false)], expected: "false (AMSGrad is not implemented)"),
        ])

    static func make(_ p: DeclaredParameters) throws -> AdamW {
        AdamW(learningRate: try p.float("learning_rate"), weightDecay: try p.float("weight_decay"),
              beta1: try p.float("beta_1"), beta2: try p.float("beta_2"), epsilon: try p.float("epsilon"))
    }
}

extension Adagrad {
    public static let declaration = PluginDeclaration(
        optimizer: "adagrad", summary: "Adagrad: per-coordinate steps scaled by accumulated squared gradients (Keras defaults)",
        parameters: [
            .number("learning_rate", .positive, default: 0.001, "step size"),
            .number("initial_accumulator_value", .nonNegative, default: 0.1, "starting accumulator"),
            .number("epsilon", .positive, default: 1e-7, "added inside the square root"),
        ])

    static func make(_ p: DeclaredParameters) throws -> Adagrad {
        Adagrad(learningRate: try p.float("learning_rate"), initialAccumulatorValue: try p.float("initial_accumulator_value"),
                epsilon: try p.float("epsilon"))
    }
}

extension RMSprop {
    public static let declaration = PluginDeclaration(
        optimizer: "rmsprop", summary: "RMSprop with optional momentum and centering (Keras defaults)",
        parameters: [
            .number("learning_rate", .positive, default: 0.001, "step size"),
            .number("rho", .unitOpen, default: 0.9, "discount of the squared-gradient average"),
            .number("momentum", .unitOpen, default: 0, "momentum"),
            .number("epsilon", .positive, default: 1e-7, "added inside the square root"),
            .bool("centered", default: false, "divide by the gradient's variance estimate"),
        ])

    static func make(_ p: DeclaredParameters) throws -> RMSprop {
        RMSprop(learningRate: try p.float("learning_rate"), rho: try p.float("rho"), momentum: try p.float("momentum"),
                epsilon: try p.float("epsilon"), centered: try p.bool("centered"))
    }
}
