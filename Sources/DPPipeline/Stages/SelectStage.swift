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

    public func resolve(_ context: inout ResolutionContext) {
        guard let shape = context.csvShape else { return }
        let header = shape.columns
        if !header.contains(label) {
            context.diagnostics.error(labelPosition, "unknown label column '\(label)'." + NameSuggestion.didYouMean(label, in: header))
        }
        for name in exclude where !header.contains(name) {
            context.diagnostics.error(position, "unknown column '\(name)' in 'exclude'." + NameSuggestion.didYouMean(name, in: header))
        }
        var chosen: [String]
        if let features {
            chosen = features
            for name in features where !header.contains(name) {
                context.diagnostics.error(featuresPosition, "unknown feature column '\(name)'." + NameSuggestion.didYouMean(name, in: header))
            }
            if features.contains(label) {
                context.diagnostics.error(featuresPosition, "the label column '\(label)' is also listed as a feature")
            }
        } else {
            chosen = header.filter { $0 != label && !exclude.contains($0) }
        }
        if chosen.isEmpty { context.diagnostics.error(featuresPosition, "no feature columns selected") }
        context.features = chosen
        context.label = header.contains(label) ? label : nil
        // Encoded width from the public schema: one-hot categories, one slot otherwise.
        if let schema = context.schema {
            var width = 0
            for name in chosen {
                guard let column = schema.column(named: name) else { continue }
                width += column.kind == .category ? column.values.count : 1
            }
            context.featureWidth = width
            if let labelColumn = schema.column(named: label), labelColumn.kind == .number {
                // Regression labels are allowed; classification losses check the label kind in `train`.
                _ = labelColumn
            }
        }
    }
}
