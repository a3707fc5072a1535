/// JSON form of plugin parameters: plain JSON values (numbers without a fraction decode as
/// `.int`, others as `.double`).
extension PluginParameter: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let v = try? c.decode(Bool.self) { self = .bool(v); return }
        if let v = try? c.decode(Int.self) { self = .int(v); return }
        if let v = try? c.decode(Double.self) { self = .double(v); return }
        if let v = try? c.decode(String.self) { self = .string(v); return }
        if let v = try? c.decode([PluginParameter].self) { self = .list(v); return }
        if let v = try? c.decode([String: PluginParameter].self) { self = .dictionary(v); return }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "unsupported parameter value")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        case .bool(let v): try c.encode(v)
        case .list(let v): try c.encode(v)
        case .dictionary(let v): try c.encode(v)
        case .null: try c.encodeNil()
        }
    }
}
