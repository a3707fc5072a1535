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
            .init("test_fraction", "number in (0, 1)", required: true, "share of rows in the test part"),
            .init("seed", "integer", "seed of the row permutation (public; default 0)"),
        ],
        decode: { value, diagnostics in
            guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
            let fraction = r.double("test_fraction", required: true, "in (0, 1)", { $0 > 0 && $0 < 1 }, diagnostics: &diagnostics)
            let seed = r.int("seed", in: 0...Int.max, diagnostics: &diagnostics) ?? 0
            r.finish(diagnostics: &diagnostics)
            guard let fraction else { return nil }
            return SplitStage(position: value.position, testFraction: fraction, seed: seed)
        })

    /// Rows in the test part for `records` rows — a public function of the record count, the fraction and the
    /// seed, because `PrivateDataFrame.split` assigns row i by a seeded hash of (seed, i), never by values.
    /// Mirrors that hash exactly; the runner checks the real split against it before training.
    public static func testCount(records: Int, fraction: Double, seed: Int) -> Int {
        let threshold = UInt64(fraction * 18_446_744_073_709_551_616.0)
        var count = 0
        for i in 0..<records where hash(UInt64(seed), UInt64(i)) < threshold { count += 1 }
        return count
    }

    /// SplitMix64's mixer keyed by the seed (Steele, Lea & Flood 2014), as in PrivateDataFrame.
    static func hash(_ seed: UInt64, _ i: UInt64) -> UInt64 {
        func mix(_ x: UInt64) -> UInt64 {
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return mix(mix(seed &+ 0x9E37_79B9_7F4A_7C15) ^ (i &* 0xD1B5_4A32_D192_ED03))
    }

    public func resolve(_ context: inout ResolutionContext) {
        context.testFraction = testFraction
        context.splitSeed = seed
    }
}
