import PrivateLearning

extension BatchNormalization {
    /// Registered so that DP-SGD refuses it with a reason instead of "unknown layer"; Keras imports refuse the class.
    public static let declaration = PluginDeclaration(
        layer: "batch_normalization",
        summary: "batch normalisation: mixes examples within a batch, so DP-SGD refuses it; use layer_normalization (group_normalization for images)",
        parameters: [
            .number("epsilon", .positive, default: 0.001, "added to the variance"),
            .number("momentum", .unitClosed, default: 0.99, "moving-statistics momentum"),
        ],
        ignoredKeys: ["axis", "center", "scale", "beta_initializer", "gamma_initializer",
                      "moving_mean_initializer", "moving_variance_initializer", "name"])

    static func make(_ p: DeclaredParameters) throws -> BatchNormalization {
        BatchNormalization(epsilon: try p.float("epsilon"), momentum: try p.float("momentum"))
    }
}
