import PrivateLearning

extension GroupNormalization {
    /// `group_normalization` (Keras `GroupNormalization`).
    public static let declaration = PluginDeclaration(
        layer: "group_normalization",
        summary: "per-example normalisation over channel groups with learnable scale and offset (DP-compatible; use it instead of batch_normalization)",
        parameters: [
            .int("groups", min: -1, default: 32, "channel groups (must divide the channels); -1: one per channel"),
            .number("epsilon", .positive, default: 1e-3, "added to the variance"),
            .bool("center", default: true, "learn an offset beta"),
            .bool("scale", default: true, "learn a scale gamma"),
            .choice("gamma_initializer", StandardChoices.initializers, default: "ones", "initial gamma"),
            .choice("beta_initializer", StandardChoices.initializers, default: "zeros", "initial beta"),
            .fixed("axis", [.int(-1)], expected: "-1 (channels last)"),
        ],
        keras: KerasDeclaration("GroupNormalization",
                                options: ["groups", "epsilon", "center", "scale", "gamma_initializer", "beta_initializer"],
                                fixed: ["axis": .init([.null, .int(-1)], "only axis=-1 (channels last) is supported")]))

    static func make(_ p: DeclaredParameters) throws -> GroupNormalization {
        let groups = try p.int("groups")
        guard groups == -1 || (groups > 0 && groups < 1 << 24) else {
            throw PrivateLearningError.invalidParameter(plugin: "group_normalization", parameter: "groups", expected: "an integer > 0 or -1")
        }
        return GroupNormalization(groups: groups, epsilon: try p.float("epsilon"), center: try p.bool("center"),
                                  scale: try p.bool("scale"),
                                  gammaInitializer: try StandardChoices.initializer(p, "gamma_initializer"),
                                  betaInitializer: try StandardChoices.initializer(p, "beta_initializer"))
    }
}
