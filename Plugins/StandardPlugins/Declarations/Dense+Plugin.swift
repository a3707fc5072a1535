import PrivateLearning

extension Dense {
    /// `dense`: name, parameters, Keras mapping — the one declaration everything else is derived from.
    public static let declaration = PluginDeclaration(
        layer: "dense", summary: "fully connected layer f(x·W + b); fast per-example gradient norms",
        parameters: [
            .int("units", min: 1, "output features per example"),
            .choice("activation", StandardChoices.activations, aliases: StandardChoices.activationAliases, default: "linear",
                    "activation applied to the output"),
            .bool("use_bias", default: true, "add a bias vector"),
            .choice("kernel_initializer", StandardChoices.initializers, default: "glorot_uniform", "initial kernel"),
            .choice("bias_initializer", StandardChoices.initializers, default: "zeros", "initial bias"),
        ],
        keras: KerasDeclaration("Dense", required: ["units"]))

    static func make(_ p: DeclaredParameters) throws -> Dense {
        Dense(try p.int("units"), activation: try StandardChoices.activation(p, "activation"), useBias: try p.bool("use_bias"),
              kernelInitializer: try StandardChoices.initializer(p, "kernel_initializer"),
              biasInitializer: try StandardChoices.initializer(p, "bias_initializer"))
    }
}
