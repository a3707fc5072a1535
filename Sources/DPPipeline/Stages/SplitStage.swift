import PrivateLearning

/// `split: {test_fraction: 0.2, seed: 0, by: patient_id}` — a deterministic split of the rows into training and
/// test parts.
///
/// Which side a row goes to is a seeded hash of (under `neighbouring: add_remove`) the row's content — all its
/// values — or of the declared id column `by`, so removing one row changes no other row's side; the sizes of the
/// parts then depend on the data and are never printed. Under `replace_one` the row's position is hashed (the
/// sizes are then a public function of N) and `by` is refused.
public struct SplitStage: PipelineStage {
    public static let kind = "split"
    public var position: SourcePosition
    public var testFraction: Double
    public var seed: Int
    /// Id column whose value decides the side (`by:`); nil hashes the row's content.
    public var by: String?
    public var byPosition: SourcePosition?

    public var inputs: [PipelineArtifact] { [.selection] }
    public var outputs: [PipelineArtifact] { [.split] }

    public static let definition = StageDefinition(
        name: kind, summary: "Split the rows into a training and a test part by a seeded hash of each row's content (or id).",
        keys: [
            .init("test_fraction", "number in [0.01, 0.99]", required: true, "share of rows in the test part (in expectation)"),
            .init("seed", "integer", "seed of the hash (public; default 0)"),
            .init("by", "column name", "id column hashed instead of the row's content (add_remove only); rows sharing an id stay together"),
        ],
        decode: { value, diagnostics in
            guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
            let fraction = r.double("test_fraction", required: true, SpecLimits.within(SpecLimits.testFraction), diagnostics: &diagnostics)
            let seed = r.int("seed", in: 0...Int.max, diagnostics: &diagnostics) ?? 0
            let byValue = r.optional("by")
            var by: String?
            if let byValue {
                if let s = byValue.stringValue, byValue.mappingEntries == nil, !s.isEmpty { by = s } else {
                    diagnostics.error(byValue.position, "'\(byValue.path)' must be a column name, found \(byValue.typeName)")
                }
            }
            r.finish(diagnostics: &diagnostics)
            guard let fraction else { return nil }
            return SplitStage(position: value.position, testFraction: fraction, seed: seed, by: by,
                              byPosition: byValue?.position)
        })

    public func resolve(_ context: inout ResolutionContext) {
        context.testFraction = testFraction
        context.splitSeed = seed
        context.splitBy = by
        if context.declaredTestSet {
            context.diagnostics.error(position, "the load declares a separate test set (test_images); remove the split")
        }
        if let by, let columns = context.csvShape?.columns, !columns.contains(by) {
            context.diagnostics.error(byPosition ?? position, "split 'by' names column '\(by)' that the CSV header does not have."
                                      + NameSuggestion.didYouMean(by, in: columns))
        }
    }
}
