import PrivateLearning

extension Embedding {
    public static let declaration = PluginDeclaration(
        layer: "embedding", summary: "maps integer tokens to learned vectors; fast per-example norms from the touched rows",
        parameters: [
            .int("input_dim", min: 1, "vocabulary size: tokens are integers in [0, input_dim)"),
            .int("output_dim", min: 1, "vector length per token"),
            .choice("embeddings_initializer", ["uniform"] + StandardChoices.initializers, default: "uniform",
                    "initial vectors (uniform: U(−0.05, 0.05))"),
            .bool("mask_zero", default: false, "token 0 is padding: later sequence layers skip those steps"),
        ],
        keras: KerasDeclaration("Embedding", options: ["input_dim", "output_dim", "embeddings_initializer", "mask_zero"],
                                fixed: ["sparse": .init([.bool(false)], "sparse gradients are not implemented")],
                                required: ["input_dim", "output_dim"]))

    static func make(_ p: DeclaredParameters) throws -> Embedding {
        Embedding(inputDim: try p.int("input_dim"), outputDim: try p.int("output_dim"),
                  embeddingsInitializer: try p.string("embeddings_initializer"), maskZero: try p.bool("mask_zero"))
    }
}
