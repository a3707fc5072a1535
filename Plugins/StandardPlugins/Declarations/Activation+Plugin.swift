import PrivateLearning

extension Activation {
    public static let declaration = PluginDeclaration(
        layer: "activation", summary: "applies an activation function to each example",
        parameters: [.choice("activation", StandardChoices.activations, aliases: StandardChoices.activationAliases, "the function")],
        keras: KerasDeclaration("Activation", required: ["activation"]))

    static func make(_ p: DeclaredParameters) throws -> Activation {
        Activation(try StandardChoices.activation(p, "activation"))
    }
}
