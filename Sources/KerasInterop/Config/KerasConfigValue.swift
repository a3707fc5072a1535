import Foundation

/// A JSON value of a Keras model configuration (`model.to_json()`), kept as Keras wrote it.
public enum KerasConfigValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([KerasConfigValue])
    case dictionary([String: KerasConfigValue])

    /// The value under `key` when this is a dictionary.
    public subscript(key: String) -> KerasConfigValue? {
        guard case let .dictionary(members) = self else { return nil }
        return members[key]
    }

    /// The string, when this is one.
    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    /// The integer, when this is one (or a double with an integral value).
    public var intValue: Int? {
        switch self {
        case let .int(i): return i
        case let .double(d) where d.rounded() == d && abs(d) < 1e15: return Int(d)
        default: return nil
        }
    }

    /// The members, when this is a dictionary.
    public var dictionaryValue: [String: KerasConfigValue]? {
        if case let .dictionary(d) = self { return d }
        return nil
    }

    /// The elements, when this is a list.
    public var listValue: [KerasConfigValue]? {
        if case let .list(l) = self { return l }
        return nil
    }

    /// A short type name for error messages, never the value.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .int: "int"
        case .double: "number"
        case .string: "string"
        case .list: "list"
        case .dictionary: "dictionary"
        }
    }
}

extension KerasConfigValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int.self) {
            self = .int(i)
        } else if let d = try? container.decode(Double.self) {
            self = .double(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let l = try? container.decode([KerasConfigValue].self) {
            self = .list(l)
        } else {
            self = .dictionary(try container.decode([String: KerasConfigValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(b): try container.encode(b)
        case let .int(i): try container.encode(i)
        case let .double(d): try container.encode(d)
        case let .string(s): try container.encode(s)
        case let .list(l): try container.encode(l)
        case let .dictionary(d): try container.encode(d)
        }
    }
}
