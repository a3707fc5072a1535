import PrivateLearning

extension LayerNormalization {
    public static let declaration: PluginDeclaration = {
        var axis = DeclaredParameter.fixed("axis", [.int(-1), .list([.int(-1)])], expected: "-1 (the last axis)")
        axis.isHidden = false
        axis.doc = "normalised axis (only the last is supported)"
        return PluginDeclaration(
            layer: "layer_normalization",
            summary: "per-example normalisation over the last axis with learnable scale and offset (DP-compatible)",
            parameters: [
                .number("epsilon", .positive, default: 0.001, "added to the variance"),
                .bool("center", default: true, "learn an offset beta"),
                .bool("scale", default: true, "learn a scale gamma"),
                .choice("gamma_initializer", StandardChoices.initializers, default: "ones", "initial gamma"),
                .choice("beta_initializer", StandardChoices.initializers, default: "zeros", "initial beta"),
                axis,
                .fixed("rms_scaling", [.bool(false)], expected: "false (RMS scaling is not implemented)"),
            ],
            keras: KerasDeclaration("LayerNormalization", options: ["epsilon", "center", "scale", "beta_initializer", "gamma_initializer"],
                                    fixed: ["rms_scaling": .init([.bool(false)], "RMS scaling is not implemented")]))
    }()

    static func make(_ p: DeclaredParameters) throws -> LayerNormalization {
        LayerNormalization(epsilon: try p.float("epsilon"), center: try p.bool("center"), scale: try p.bool("scale"),
                           gammaInitializer: try StandardChoices.initializer(p, "gamma_initializer"),
                           betaInitializer: try StandardChoices.initializer(p, "beta_initializer"))
    }
}
