import PrivateLearning

extension Embedding {
    public static let declaration = PluginDeclaration(
        layer: "embedding", summary: "maps integer tokens to learned vectors; fast per-example norms from the touched rows",
        parameters: [
            .int("input_dim", min: 1, "vocabulary size: tokens are integers in [0, input_dim)"),
            .int("output_dim", min: 1, "vector length per token"),
            .choice("embeddings_initializer", ["uniform"] + StandardChoices.initializers, default: "uniform",
                    "initial vectors (uniform: U(−0.05, 0.05))"),
            .fixed("mask_zero", [.bool(false)], expected: "false (masking is not implemented)"),
        ],
        keras: KerasDeclaration("Embedding", options: ["input_dim", "output_dim", "embeddings_initializer"],
                                fixed: ["mask_zero": .init([.bool(false)], "masking is not implemented"),
                                        "sparse": .init([.bool(false)], "sparse gradients are not implemented")],
                                required: ["input_dim", "output_dim"]))

    static func make(_ p: DeclaredParameters) throws -> Embedding {
        Embedding(inputDim: try p.int("input_dim"), outputDim: try p.int("output_dim"),
                  embeddingsInitializer: try p.string("embeddings_initializer"))
    }
}
