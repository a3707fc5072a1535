import PrivateLearning

extension BinaryCrossentropy {
    public static let declaration = PluginDeclaration(
        loss: "binary_crossentropy", summary: "binary cross-entropy, mean over outputs per example", targetEncoding: .binary,
        parameters: [.bool("from_logits", default: false, "predictions are logits rather than probabilities")])

    static func make(_ p: DeclaredParameters) throws -> BinaryCrossentropy {
        BinaryCrossentropy(fromLogits: try p.bool("from_logits"))
    }
}

extension CategoricalCrossentropy {
    public static let declaration = PluginDeclaration(
        loss: "categorical_crossentropy", summary: "cross-entropy with one-hot targets, summed over classes per example",
        targetEncoding: .oneHot,
        parameters: [
            .bool("from_logits", default: false, "predictions are logits rather than probabilities"),
            .number("label_smoothing", .unitClosed, default: 0, "mix targets with the uniform distribution"),
        ])

    static func make(_ p: DeclaredParameters) throws -> CategoricalCrossentropy {
        CategoricalCrossentropy(fromLogits: try p.bool("from_logits"), labelSmoothing: try p.float("label_smoothing"))
    }
}

extension SparseCategoricalCrossentropy {
    public static let declaration = PluginDeclaration(
        loss: "sparse_categorical_crossentropy", summary: "cross-entropy with integer class labels (one per example)",
        targetEncoding: .integerClass,
        parameters: [.bool("from_logits", default: false, "predictions are logits rather than probabilities")])

    static func make(_ p: DeclaredParameters) throws -> SparseCategoricalCrossentropy {
        SparseCategoricalCrossentropy(fromLogits: try p.bool("from_logits"))
    }
}

extension MeanSquaredError {
    public static let declaration = PluginDeclaration(
        loss: "mean_squared_error", summary: "mean of (ŷ − y)² over outputs per example", targetEncoding: .real, aliases: ["mse"])

    static func make(_ p: DeclaredParameters) throws -> MeanSquaredError { MeanSquaredError() }
}

extension MeanAbsoluteError {
    public static let declaration = PluginDeclaration(
        loss: "mean_absolute_error", summary: "mean of |ŷ − y| over outputs per example", targetEncoding: .real, aliases: ["mae"])

    static func make(_ p: DeclaredParameters) throws -> MeanAbsoluteError { MeanAbsoluteError() }
}

extension Huber {
    public static let declaration = PluginDeclaration(
        loss: "huber", summary: "quadratic within delta of the target, linear beyond; mean over outputs per example",
        targetEncoding: .real,
        parameters: [.number("delta", .positive, default: 1.0, "where the loss turns from quadratic to linear (target units)")],
        aliases: ["huber_loss"])

    static func make(_ p: DeclaredParameters) throws -> Huber { Huber(delta: try p.float("delta")) }
}
