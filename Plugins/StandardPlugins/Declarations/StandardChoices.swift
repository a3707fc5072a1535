import PrivateLearning

/// Value lists shared by several standard declarations.
enum StandardChoices {
    /// Activation names (Keras spellings); `swish`, `leakyrelu`, `none` and `identity` are accepted as aliases.
    static let activations = ActivationFunction.allCases.map(\.rawValue)
    static let activationAliases = ["swish", "leakyrelu", "none", "identity"]
    static let initializers = Initializer.allCases.map(\.rawValue)

    static func activation(_ p: DeclaredParameters, _ name: String) throws -> ActivationFunction {
        guard let f = ActivationFunction(name: try p.string(name)) else {
            throw PrivateLearningError.invalidParameter(plugin: p.declaration.name, parameter: name,
                                                        expected: "one of " + activations.joined(separator: ", "))
        }
        return f
    }

    static func initializer(_ p: DeclaredParameters, _ name: String) throws -> Initializer {
        guard let i = Initializer(rawValue: try p.string(name)) else {
            throw PrivateLearningError.invalidParameter(plugin: p.declaration.name, parameter: name,
                                                        expected: "one of " + initializers.joined(separator: ", "))
        }
        return i
    }
}
