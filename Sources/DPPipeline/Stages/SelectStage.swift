import PrivateLearning
/// `select: {features: all | [names], label: name, exclude: [names]}` — chooses feature and label columns.
public struct SelectStage: PipelineStage {
    public static let kind = "select"
    public var position: SourcePosition
    /// nil means every column except the label and `exclude`.
    public var features: [String]?
    public var featuresPosition: SourcePosition
    public var label: String
    public var labelPosition: SourcePosition
    public var exclude: [String]

    public var inputs: [PipelineArtifact] { [.data] }
    public var outputs: [PipelineArtifact] { [.selection] }

    public static let definition = StageDefinition(
        name: kind, summary: "Choose the feature columns and the label column.",
        keys: [
            .init("features", "all | list of columns", "feature columns (default: all except the label)"),
            .init("label", "column", required: true, "label column"),
            .init("exclude", "list of columns", "columns left out when features is 'all'"),
        ],
        decode: { value, diagnostics in
            guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
            var features: [String]?
            let featuresValue = r.optional("features")
            if let featuresValue, featuresValue.stringValue != "all" {
                features = SpecMappingReader.strings(featuresValue, diagnostics: &diagnostics)
                if features == nil { return nil }
            }
            let labelValue = r.optional("label")
            let label = r.string("label", required: true, diagnostics: &diagnostics)
            let exclude = r.stringList("exclude", diagnostics: &diagnostics) ?? []
            r.finish(diagnostics: &diagnostics)
            guard let label, let labelValue else { return nil }
            return SelectStage(position: value.position, features: features,
                               featuresPosition: featuresValue?.position ?? value.position,
                               label: label, labelPosition: labelValue.position, exclude: exclude)
        })

    /// Checks the chosen names against the header. Linear in the number of columns (set and dictionary lookups;
    /// at most a few "did you mean" searches). Suggestions come from the schema's declared names only: a header
    /// cell the schema does not name may be data.
    public func resolve(_ context: inout ResolutionContext) {
        guard let shape = context.csvShape else { return }
        let header = shape.columns
        let known = Set(header)
        let declared = context.schema.map { $0.columns.map(\.name) } ?? []
        var suggestionsLeft = 5
        func hint(_ name: String) -> String {
            guard suggestionsLeft > 0 else { return "" }
            suggestionsLeft -= 1
            return NameSuggestion.didYouMean(name, in: declared)
        }
        if !known.contains(label) {
            context.diagnostics.error(labelPosition, "unknown label column '\(label)'." + hint(label))
        }
        func reportUnknown(_ names: [String], _ what: String, at position: SourcePosition) {
            let unknown = names.filter { !known.contains($0) }
            for name in unknown.prefix(5) {
                context.diagnostics.error(position, "unknown \(what) '\(name)'." + hint(name))
            }
            if unknown.count > 5 {
                context.diagnostics.error(position, "\(unknown.count - 5) more unknown \(what)s")
            }
        }
        reportUnknown(exclude, "column in 'exclude'", at: position)
        var chosen: [String]
        if let features {
            chosen = features
            reportUnknown(features, "feature column", at: featuresPosition)
            if features.contains(label) {
                context.diagnostics.error(featuresPosition, "the label column '\(label)' is also listed as a feature")
            }
            var seen = Set<String>()
            seen.reserveCapacity(features.count)
            if let twice = features.first(where: { !seen.insert($0).inserted }) {
                context.diagnostics.error(featuresPosition, "feature column '\(twice)' is listed twice")
            }
        } else {
            let excluded = Set(exclude)
            chosen = header.filter { $0 != label && !excluded.contains($0) && $0 != context.privacyUnit }
        }
        if let unit = context.privacyUnit {
            if features?.contains(unit) == true {
                context.diagnostics.error(featuresPosition, "the privacy unit column '\(unit)' is never a feature")
            }
            if label == unit { context.diagnostics.error(labelPosition, "the privacy unit column '\(unit)' cannot be the label") }
        }
        if chosen.isEmpty { context.diagnostics.error(featuresPosition, "no feature columns selected") }
        context.features = chosen
        context.label = known.contains(label) ? label : nil
        // Encoded width from the public schema: one-hot categories, one slot otherwise.
        if let schema = context.schema {
            var width = 0
            for name in chosen {
                guard let column = schema.column(named: name) else { continue }
                width += column.encodedWidth
            }
            context.featureWidth = width
        }
    }
}
