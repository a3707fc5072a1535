import PrivateLearning

extension Dropout {
    public static let declaration = PluginDeclaration(
        layer: "dropout", summary: "inverted dropout during training, identity at inference; per-element masks",
        parameters: [
            .number("rate", .unitOpen, "fraction of elements dropped during training"),
            DeclaredParameter("seed", .int(min: nil), defaultNote: "drawn from the model seed", "mask generator seed (no privacy role)"),
            .fixed("noise_shape", [.null], expected: "null (every element is dropped independently)"),
        ],
        keras: KerasDeclaration("Dropout", options: ["rate"],
                                fixed: ["noise_shape": .init([.null], "dpflow drops every feature independently (noise_shape must be null)")],
                                required: ["rate"]))

    static func make(_ p: DeclaredParameters) throws -> Dropout {
        Dropout(rate: try p.float("rate"), seed: p.has("seed") ? UInt64(truncatingIfNeeded: try p.int("seed")) : nil)
    }
}
