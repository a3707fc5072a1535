import PrivateLearning

extension Flatten {
    public static let declaration = PluginDeclaration(
        layer: "flatten", summary: "reshapes each example to a feature vector (row-major, channels_last)",
        parameters: [.choice("data_format", ["channels_last"], default: "channels_last", "layout")],
        keras: KerasDeclaration("Flatten", options: [],
                                fixed: ["data_format": .init([.null, .string("channels_last")], "only channels_last is supported")]))

    static func make(_ p: DeclaredParameters) throws -> Flatten { Flatten() }
}
