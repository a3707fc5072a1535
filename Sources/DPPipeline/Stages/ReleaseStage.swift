import PrivateLearning
/// `release: {statistic: mean, column: age, epsilon: 0.1}` — a DP count, sum, mean or histogram of a column.
public struct ReleaseStage: PipelineStage {
    public static let kind = "release"
    public static let statistics = ["count", "sum", "mean", "histogram"]
    public var position: SourcePosition
    public var statistic: String
    public var column: String?
    public var columnPosition: SourcePosition
    public var epsilon: Double
    /// Declared public grid of the release (a power of two); nil: the default derived from the declared bounds.
    public var granularity: Double?
    /// Name of the released value in the report (default `<statistic>_<column>`).
    public var name: String

    public var inputs: [PipelineArtifact] { [.data] }

    public static let definition = StageDefinition(
        name: kind, summary: "Release a DP count, sum, mean or histogram of a column (charged to the ledger).",
        keys: [
            .init("statistic", statistics.joined(separator: " | "), required: true, "what to release"),
            .init("column", "column", "the column (required except for count)"),
            .init("epsilon", "number in [1e-6, 100]", required: true, "ε charged for this release"),
            .init("name", "string", "name of the value in the report"),
            .init("granularity", "power of two > 0", "public grid of the released value (default: from the column's bounds; 1 for counts)"),
        ],
        decode: { value, diagnostics in
            guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
            let errorsBefore = diagnostics.diagnostics.count
            let statistic = r.choice("statistic", statistics, required: true, diagnostics: &diagnostics)
            let columnValue = r.optional("column")
            let column = r.string("column", diagnostics: &diagnostics)
            let epsilon = r.double("epsilon", required: true, SpecLimits.within(SpecLimits.stageEpsilon), diagnostics: &diagnostics)
            let name = r.string("name", diagnostics: &diagnostics)
            let granularity = r.double("granularity", "a power of two greater than 0", Self.isPowerOfTwo, diagnostics: &diagnostics)
            r.finish(diagnostics: &diagnostics)
            if let statistic, statistic != "count", columnValue == nil {
                diagnostics.error(value.position, "'\(value.path)' with statistic '\(statistic)' needs a 'column'")
            }
            guard diagnostics.diagnostics.count == errorsBefore, let statistic, let epsilon else { return nil }
            return ReleaseStage(position: value.position, statistic: statistic, column: column,
                                columnPosition: columnValue?.position ?? value.position, epsilon: epsilon,
                                granularity: granularity, name: name ?? ([statistic] + (column.map { [$0] } ?? [])).joined(separator: "_"))
        })

    public func resolve(_ context: inout ResolutionContext) {
        guard let column, let shape = context.csvShape else { return }
        if !shape.columns.contains(column) {
            context.diagnostics.error(columnPosition, "unknown column '\(column)'." + NameSuggestion.didYouMean(column, in: shape.columns))
        } else if let declared = context.schema?.column(named: column) {
            let numeric = declared.kind == .number || declared.kind == .integer || declared.kind == .boolean
            if statistic == "histogram" && declared.kind != .category && declared.kind != .boolean {
                context.diagnostics.error(columnPosition, "a histogram needs a category or boolean column; '\(column)' is \(declared.kind.rawValue)")
            }
            if (statistic == "sum" || statistic == "mean") && !numeric {
                context.diagnostics.error(columnPosition, "'\(statistic)' needs a number column with public bounds; '\(column)' is \(declared.kind.rawValue)")
            }
        }
    }

    /// A positive power of two between 2⁻⁶⁰ and 2⁶⁰ (the grids PrivateDataFrame accepts).
    static func isPowerOfTwo(_ g: Double) -> Bool {
        g.isNormal && g > 0 && g.significandBitPattern == 0 && (-60...60).contains(Int(g.exponent))
    }

    public func cost(_ context: PlanningContext) throws -> StageCost {
        StageCost(epsilon: epsilon, delta: 0, detail: "DP \(statistic)\(column.map { " of '\($0)'" } ?? "") (discrete Laplace)")
    }
}
