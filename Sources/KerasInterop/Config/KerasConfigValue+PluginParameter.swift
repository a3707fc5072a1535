import PrivateLearning

extension KerasConfigValue {
    /// The same value as a plugin parameter.
    public var pluginParameter: PluginParameter {
        switch self {
        case .null: .null
        case let .bool(b): .bool(b)
        case let .int(i): .int(i)
        case let .double(d): .double(d)
        case let .string(s): .string(s)
        case let .list(l): .list(l.map(\.pluginParameter))
        case let .dictionary(d): .dictionary(d.mapValues(\.pluginParameter))
        }
    }

    /// The same value as Keras JSON.
    public init(_ parameter: PluginParameter) {
        switch parameter {
        case .null: self = .null
        case let .bool(b): self = .bool(b)
        case let .int(i): self = .int(i)
        case let .double(d): self = .double(d)
        case let .string(s): self = .string(s)
        case let .list(l): self = .list(l.map(KerasConfigValue.init))
        case let .dictionary(d): self = .dictionary(d.mapValues(KerasConfigValue.init))
        }
    }
}
