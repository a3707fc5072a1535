extension PluginRegistry {
    /// A value a higher layer keeps in the registry under `key`, so that a plugin library — which receives only
    /// this registry — can register things that layer defines (DPPipeline keeps pipeline stages here:
    /// `registry.registerStage(…)`). This layer never interprets the values.
    public func hostExtension(_ key: String) -> (any Sendable)? { hostExtensions[key] }

    /// Stores `value` under `key` (see `hostExtension(_:)`); nil removes it.
    public mutating func setHostExtension(_ key: String, _ value: (any Sendable)?) { hostExtensions[key] = value }
}
