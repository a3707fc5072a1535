/// `split: {test_fraction: 0.2, seed: 0}` — a deterministic split of the rows into training and test parts.
/// The split depends only on row positions and the seed, never on values.
public struct SplitStage: PipelineStage {
    public static let kind = "split"
    public var position: SourcePosition
    public var testFraction: Double
    public var seed: Int

    public var inputs: [PipelineArtifact] { [.selection] }
    public var outputs: [PipelineArtifact] { [.split] }

    public static let definition = StageDefinition(
        name: kind, summary: "Split the rows into a training and a test part, deterministically by row.",
        keys: [
            .init("test_fraction", "number in [0.01, 0.99]", required: true, "share of rows in the test part"),
            .init("seed", "integer", "seed of the row permutation (public; default 0)"),
        ],
        decode: { value, diagnostics in
            guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
            let fraction = r.double("test_fraction", required: true, SpecLimits.within(SpecLimits.testFraction), diagnostics: &diagnostics)
            let seed = r.int("seed", in: 0...Int.max, diagnostics: &diagnostics) ?? 0
            r.finish(diagnostics: &diagnostics)
            guard let fraction else { return nil }
            return SplitStage(position: value.position, testFraction: fraction, seed: seed)
        })

    public func resolve(_ context: inout ResolutionContext) {
        context.testFraction = testFraction
        context.splitSeed = seed
    }
}
