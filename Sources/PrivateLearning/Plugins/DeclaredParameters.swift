/// Parameters of one plugin instance after the checks its declaration implies: no unknown key, every
/// value of its declared type and within its range, defaults filled in. Factories read them with typed
/// accessors; asking for an undeclared name or the wrong type is a thrown error, never a trap.
public struct DeclaredParameters: Sendable {
    public let declaration: PluginDeclaration
    /// Values by name: the given ones (checked) and the defaults of the absent ones.
    public let values: PluginParameters

    /// Checks `given` against `declaration`.
    /// - Throws: `PrivateLearningError.unknownParameter` (with the nearest declared name),
    ///   `.missingParameter`, `.invalidParameter` (saying what is accepted).
    public init(_ given: PluginParameters, declaration: PluginDeclaration) throws {
        self.declaration = declaration
        let plugin = declaration.name
        let known = declaration.parameters.map(\.name)
        for key in given.keys.sorted() where !known.contains(key) && !declaration.ignoredKeys.contains(key) {
            throw PrivateLearningError.unknownParameter(
                plugin: plugin, parameter: key,
                suggestion: NameSuggestion.nearest(to: key, in: declaration.parameters.filter { !$0.isHidden }.map(\.name)))
        }
        var values: PluginParameters = [:]
        for p in declaration.parameters {
            let value = given[p.name] ?? .null
            if value == .null {
                if let d = p.defaultValue { values[p.name] = d; continue }
                if p.defaultNote != nil { continue }   // optional without a plain default (e.g. a seed)
                throw PrivateLearningError.missingParameter(plugin: plugin, parameter: p.name)
            }
            values[p.name] = try Self.check(value, p, plugin: plugin)
        }
        self.values = values
    }

    static func check(_ value: PluginParameter, _ p: DeclaredParameter, plugin: String) throws -> PluginParameter {
        let invalid = PrivateLearningError.invalidParameter(plugin: plugin, parameter: p.name, expected: p.type.expected)
        switch p.type {
        case .int(let min):
            let v: Int
            switch value {
            case .int(let i): v = i
            case .double(let d) where d.rounded() == d && abs(d) < 1e15: v = Int(d)
            default: throw invalid
            }
            if let min, v < min { throw invalid }
            return .int(v)
        case .number(let range):
            let v: Double
            switch value {
            case .int(let i): v = Double(i)
            case .double(let d): v = d
            default: throw invalid
            }
            guard range.contains(v) else { throw invalid }
            return .double(v)
        case .bool:
            guard case .bool = value else { throw invalid }
            return value
        case .string:
            guard case .string = value else { throw invalid }
            return value
        case .choice(let choices, let aliases):
            guard case .string(let s) = value, (choices + aliases).contains(where: { $0.lowercased() == s.lowercased() }) else {
                throw invalid
            }
            return value
        case .fixed(let allowed, _):
            guard allowed.contains(value) else { throw invalid }
            return value
        case .sizes(let rank):
            func size(_ v: PluginParameter) -> Int? {
                switch v {
                case .int(let i): i
                case .double(let d) where d.rounded() == d && abs(d) < 1e9: Int(d)
                default: nil
                }
            }
            let sizes: [Int]
            if case .list(let items) = value {
                sizes = items.compactMap(size)
                guard items.count == rank, sizes.count == rank else { throw invalid }
            } else {
                guard let s = size(value) else { throw invalid }
                sizes = [Int](repeating: s, count: rank)
            }
            guard sizes.allSatisfy({ $0 > 0 && $0 < 1 << 24 }) else { throw invalid }
            return .list(sizes.map(PluginParameter.int))
        case .shape(let maxRank):
            guard case .list(let items) = value, (1...max(1, maxRank)).contains(items.count) else { throw invalid }
            return .list(try items.map { item -> PluginParameter in
                guard case .int(let v) = item, v == -1 || (v > 0 && v < 1 << 30) else { throw invalid }
                return .int(v)
            })
        }
    }

    func wrongType(_ name: String, _ expected: String) -> PrivateLearningError {
        .invalidParameter(plugin: declaration.name, parameter: name, expected: expected)
    }

    /// True when the parameter has a value (given, or a plain default).
    public func has(_ name: String) -> Bool { values[name] != nil }

    public func int(_ name: String) throws -> Int {
        guard case .int(let v)? = values[name] else { throw wrongType(name, "an integer") }
        return v
    }

    public func double(_ name: String) throws -> Double {
        switch values[name] {
        case .double(let v)?: return v
        case .int(let v)?: return Double(v)
        default: throw wrongType(name, "a number")
        }
    }

    /// A number as the nearest Float.
    public func float(_ name: String) throws -> Float { Float(try double(name)) }

    public func bool(_ name: String) throws -> Bool {
        guard case .bool(let v)? = values[name] else { throw wrongType(name, "true or false") }
        return v
    }

    /// A list of integers (a `.shape` or `.sizes` parameter as given).
    public func ints(_ name: String) throws -> [Int] {
        guard case .list(let items)? = values[name] else { throw wrongType(name, "a list of integers") }
        return try items.map {
            guard case .int(let v) = $0 else { throw wrongType(name, "a list of integers") }
            return v
        }
    }

    /// A `.sizes` parameter as its `rank` integers (a one-integer default repeated).
    public func sizes(_ name: String) throws -> [Int] {
        if case .int(let v)? = values[name],
           case .sizes(let rank)? = declaration.parameters.first(where: { $0.name == name })?.type {
            return [Int](repeating: v, count: rank)
        }
        return try ints(name)
    }

    public func string(_ name: String) throws -> String {
        guard case .string(let v)? = values[name] else { throw wrongType(name, "a string") }
        return v
    }
}
