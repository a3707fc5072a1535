/// A use of a named plugin in a pipeline file, with its parameters still as YAML:
/// `- dense: {units: 32}`, `loss: binary_crossentropy`, `optimizer: {adam: {learning_rate: 0.01}}`.
public struct PluginReference: Sendable {
    public var name: String
    /// The parameter mapping (nil when the entry is a bare name or has a null value).
    public var parameters: SpecValue?
    /// Position of the name.
    public var position: SourcePosition
    /// YAML path of the entry, e.g. `stages[3].train.model[0]`.
    public var path: String

    /// Decodes `name`, `{name: {params}}` or `{name: null}`.
    static func decode(_ value: SpecValue, what: String, diagnostics: inout DiagnosticCollector) -> PluginReference? {
        if let name = value.stringValue, value.mappingEntries == nil, value.sequenceItems == nil {
            return PluginReference(name: name, parameters: nil, position: value.position, path: value.path)
        }
        guard let entries = value.mappingEntries, entries.count == 1 else {
            diagnostics.error(value.position, "\(what) must be a name or a one-key mapping '{name: {parameters}}', found \(value.mappingEntries.map { "a mapping with \($0.count) keys" } ?? value.typeName)")
            return nil
        }
        let entry = entries[0]
        var parameters: SpecValue? = entry.value
        if entry.value.isNull { parameters = nil } else if entry.value.mappingEntries == nil {
            diagnostics.error(entry.value.position, "parameters of '\(entry.key)' (\(entry.value.path)) must be a mapping, found \(entry.value.typeName)")
            return nil
        }
        return PluginReference(name: entry.key, parameters: parameters, position: entry.keyPosition, path: value.path)
    }

    /// Parameter entries (empty when none).
    public var entries: [SpecEntry] { parameters?.mappingEntries ?? [] }
}

/// The `model:` of a `train` stage: a list of layers, or a mapping handled by a `ModelSourceResolver`
/// (for example `{keras_json: model.json, weights: weights.npz}` from the Keras interop module).
public enum ModelSpec: Sendable {
    case layers([PluginReference])
    case source(SpecValue)
}
