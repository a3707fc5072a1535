import PrivateLearning

extension SpecValue {
    /// This YAML value as a plugin parameter: plain scalars by the YAML core schema (int, double, bool, null),
    /// quoted scalars as strings, lists and mappings recursively.
    public var pluginParameter: PluginParameter {
        switch kind {
        case .scalar(let s, let quoted):
            if quoted { return .string(s) }
            if SpecValue.isNull(s) { return .null }
            if let b = SpecValue.bool(s) { return .bool(b) }
            if let i = SpecValue.int(s) { return .int(i) }
            if let d = SpecValue.double(s) { return .double(d) }
            return .string(s)
        case .sequence(let items):
            return .list(items.map(\.pluginParameter))
        case .mapping(let entries):
            var dictionary: [String: PluginParameter] = [:]
            for e in entries { dictionary[e.key] = e.value.pluginParameter }
            return .dictionary(dictionary)
        }
    }
}

extension PluginReference {
    /// The parameters as the registry's factories take them.
    public var pluginParameters: PluginParameters {
        var out: PluginParameters = [:]
        for e in entries { out[e.key] = e.value.pluginParameter }
        return out
    }

    /// Where a named parameter's value (or, failing that, the plugin name) is written.
    func position(ofParameter name: String, key: Bool = false) -> SourcePosition {
        guard let e = entries.first(where: { $0.key == name }) else { return position }
        return key ? e.keyPosition : e.value.position
    }
}
