import PrivateLearning
/// `load: {csv: data/x.csv, schema: {...}}` — reads a CSV into a private data frame under a public schema.
public struct LoadStage: PipelineStage {
    public static let kind = "load"
    public var position: SourcePosition
    /// CSV path as written (relative to the pipeline file).
    public var csv: String
    public var csvPosition: SourcePosition
    public var schema: SchemaSpec

    public var outputs: [PipelineArtifact] { [.data] }

    public static let definition = StageDefinition(
        name: kind, summary: "Read a CSV file into a private data frame under a public schema.",
        keys: [
            .init("csv", "path", required: true, "CSV file with a header row, relative to the pipeline file"),
            .init("schema", "mapping", required: true,
                  "column name (or 'default') → {type: number|integer|category|boolean, min, max, values, missing: drop_row|{default: v}, out_of_bounds: clamp|error}"),
        ],
        decode: { value, diagnostics in
            guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
            let csvPosition = r.optional("csv")?.position ?? value.position
            let csv = r.string("csv", required: true, diagnostics: &diagnostics)
            let schema = r.required("schema", diagnostics: &diagnostics).flatMap { SchemaSpec.decode($0, diagnostics: &diagnostics) }
            r.finish(diagnostics: &diagnostics)
            guard let csv, let schema else { return nil }
            return LoadStage(position: value.position, csv: csv, csvPosition: csvPosition, schema: schema)
        })

    public func resolve(_ context: inout ResolutionContext) {
        let path = context.path(csv)
        context.csvPath = path
        context.schema = schema
        do {
            let shape = try CSVShape.read(path: path)
            context.csvShape = shape
            let header = Set(shape.columns)
            for (name, column) in schema.columns where !header.contains(name) {
                context.diagnostics.error(column.position, "schema declares column '\(name)' that the CSV header does not have."
                                          + NameSuggestion.didYouMean(name, in: shape.columns))
            }
            if schema.defaultColumn == nil {
                let declared = Set(schema.columns.map(\.name))
                let undeclared = shape.columns.filter { !declared.contains($0) }
                if !undeclared.isEmpty {
                    context.diagnostics.error(schema.position, "schema does not declare column(s) \(undeclared.prefix(5).map { "'\($0)'" }.joined(separator: ", "))\(undeclared.count > 5 ? " and \(undeclared.count - 5) more" : ""); declare them or add a 'default:' entry")
                }
            }
            if shape.records < 2 {
                context.diagnostics.error(position, "the CSV file '\(csv)' has fewer than 2 records")
            }
        } catch let error as PipelineError {
            if case .unreadableFile(_, let reason) = error {
                context.diagnostics.error(csvPosition, "\(reason): '\(csv)' (resolved to \(path))")
            } else {
                context.diagnostics.error(position, error.description)
            }
        } catch {
            context.diagnostics.error(position, "cannot read '\(csv)': \(error)")
        }
    }
}
