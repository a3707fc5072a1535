import PrivateDataFrame

extension SchemaSpec {
    /// The text keys of a `type: text` column: `max_length` (required, 1…4096), `lowercase` (default true) and
    /// `tokens: words|characters` (default words). Read only for text columns, so on other types they are unknown
    /// keys (errors with their positions).
    static func decodeText(_ r: inout SpecMappingReader, isText: Bool, position: SourcePosition,
                           diagnostics: inout DiagnosticCollector) -> TextColumnSpec? {
        guard isText else { return nil }
        let length = r.int("max_length", required: true, in: 1...TextColumnSpec.maxLengthLimit, diagnostics: &diagnostics)
        let lowercase = r.bool("lowercase", diagnostics: &diagnostics) ?? true
        let tokens = r.choice("tokens", TextTokenUnit.allCases.map(\.rawValue), diagnostics: &diagnostics)
            .flatMap(TextTokenUnit.init(rawValue:)) ?? .words
        guard let length else { return nil }
        return try? TextColumnSpec(maxLength: length, lowercase: lowercase, tokens: tokens)
    }
}

extension SchemaSpec.Column {
    /// Model inputs this column takes when it is a feature: max_length token ids for text, one per declared value for a
    /// category (one-hot), one otherwise.
    var encodedWidth: Int {
        switch kind {
        case .category: values.count
        case .text: text?.maxLength ?? 1
        default: 1
        }
    }
}
