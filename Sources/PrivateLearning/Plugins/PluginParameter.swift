/// A parameter value given to a plugin factory, as read from a pipeline file or Keras config.
public enum PluginParameter: Sendable, Equatable, Hashable {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)
    case list([PluginParameter])
    case dictionary([String: PluginParameter])
    case null

    /// A short type name for error messages ("int", "string" …), never the value itself.
    public var typeName: String {
        switch self {
        case .int: "int"
        case .double: "double"
        case .string: "string"
        case .bool: "bool"
        case .list: "list"
        case .dictionary: "dictionary"
        case .null: "null"
        }
    }
}

/// Parameters of one plugin instance, keyed by their Keras-style name (`units`, `learning_rate` …).
public typealias PluginParameters = [String: PluginParameter]

/// Typed, checked access to plugin parameters; each accessor throws a
/// `PrivateLearningError` naming the plugin and the parameter.
public struct ParameterReader: Sendable {
    /// Plugin name used in error messages (e.g. `dense`).
    public let plugin: String
    public let parameters: PluginParameters

    public init(plugin: String, parameters: PluginParameters) {
        self.plugin = plugin
        self.parameters = parameters
    }

    /// Throws if a parameter outside `known` is present, suggesting the nearest known name.
    public func rejectUnknown(_ known: [String]) throws {
        for key in parameters.keys.sorted() where !known.contains(key) {
            throw PrivateLearningError.unknownParameter(
                plugin: plugin, parameter: key, suggestion: NameSuggestion.nearest(to: key, in: known))
        }
    }

    public func int(_ name: String, default value: Int? = nil) throws -> Int {
        switch parameters[name] {
        case .int(let v)?: return v
        case .double(let v)? where v.rounded() == v && abs(v) < 1e15: return Int(v)
        case nil, .null?:
            if let value { return value }
            throw PrivateLearningError.missingParameter(plugin: plugin, parameter: name)
        default: throw PrivateLearningError.invalidParameter(plugin: plugin, parameter: name, expected: "an integer")
        }
    }

    public func double(_ name: String, default value: Double? = nil) throws -> Double {
        switch parameters[name] {
        case .int(let v)?: return Double(v)
        case .double(let v)?: return v
        case nil, .null?:
            if let value { return value }
            throw PrivateLearningError.missingParameter(plugin: plugin, parameter: name)
        default: throw PrivateLearningError.invalidParameter(plugin: plugin, parameter: name, expected: "a number")
        }
    }

    public func bool(_ name: String, default value: Bool? = nil) throws -> Bool {
        switch parameters[name] {
        case .bool(let v)?: return v
        case nil, .null?:
            if let value { return value }
            throw PrivateLearningError.missingParameter(plugin: plugin, parameter: name)
        default: throw PrivateLearningError.invalidParameter(plugin: plugin, parameter: name, expected: "true or false")
        }
    }

    public func string(_ name: String, default value: String? = nil) throws -> String {
        switch parameters[name] {
        case .string(let v)?: return v
        case nil, .null?:
            if let value { return value }
            throw PrivateLearningError.missingParameter(plugin: plugin, parameter: name)
        default: throw PrivateLearningError.invalidParameter(plugin: plugin, parameter: name, expected: "a string")
        }
    }

    /// A number that must satisfy `range`, e.g. `0...` for a non-negative rate.
    public func double(_ name: String, default value: Double? = nil, in range: PartialRangeFrom<Double>,
                       exclusiveLower: Bool = false) throws -> Double {
        let v = try double(name, default: value)
        if !v.isFinite || v < range.lowerBound || (exclusiveLower && v == range.lowerBound) {
            throw PrivateLearningError.invalidParameter(
                plugin: plugin, parameter: name,
                expected: exclusiveLower ? "a number > \(range.lowerBound)" : "a number ≥ \(range.lowerBound)")
        }
        return v
    }
}
