import PrivateLearning
/// Reads the keys of one YAML mapping, records type and range errors, and at `finish()` reports every key
/// that nothing asked for as "unknown key" with a suggestion. Decoders of stages use it so that unknown keys
/// are always errors, never silently ignored.
public struct SpecMappingReader: Sendable {
    public let value: SpecValue
    private var entries: [SpecEntry]
    private var used: Set<String> = []
    private var known: [String] = []

    /// - Returns: nil (with an error recorded) when `value` is not a mapping.
    public init?(_ value: SpecValue, what: String, diagnostics: inout DiagnosticCollector) {
        guard let entries = value.mappingEntries else {
            diagnostics.error(value.position, "\(what) must be a mapping, found \(value.typeName)")
            return nil
        }
        self.value = value
        self.entries = entries
    }

    public var keys: [String] { entries.map(\.key) }

    /// The value of `key`, marking the key as known.
    public mutating func optional(_ key: String) -> SpecValue? {
        known.append(key)
        used.insert(key)
        return entries.first { $0.key == key }?.value
    }

    /// The value of `key`, or an error "missing required key" at the mapping.
    public mutating func required(_ key: String, diagnostics: inout DiagnosticCollector) -> SpecValue? {
        let v = optional(key)
        if v == nil {
            diagnostics.error(value.position, "missing required key '\(key)'\(value.path.isEmpty ? "" : " in '\(value.path)'")")
        }
        return v
    }

    public mutating func string(_ key: String, required isRequired: Bool = false,
                                diagnostics: inout DiagnosticCollector) -> String? {
        guard let v = isRequired ? required(key, diagnostics: &diagnostics) : optional(key) else { return nil }
        guard let s = v.stringValue, v.mappingEntries == nil else {
            diagnostics.error(v.position, "'\(v.path)' must be a string, found \(v.typeName)")
            return nil
        }
        return s
    }

    /// An integer in `range`.
    public mutating func int(_ key: String, required isRequired: Bool = false, in range: ClosedRange<Int>? = nil,
                             diagnostics: inout DiagnosticCollector) -> Int? {
        guard let v = isRequired ? required(key, diagnostics: &diagnostics) : optional(key) else { return nil }
        guard let i = v.intValue else {
            if case .scalar(let text, false) = v.kind, SpecValue.isOverflowingInteger(text) {
                let limit = range.map { SpecMappingReader.describe($0) } ?? "a 64-bit integer"
                diagnostics.error(v.position, "'\(v.path)' must be \(limit), found an integer too large for 64 bits")
                return nil
            }
            diagnostics.error(v.position, "'\(v.path)' must be an integer, found \(v.typeName)")
            return nil
        }
        if let range, !range.contains(i) {
            diagnostics.error(v.position, "'\(v.path)' must be \(SpecMappingReader.describe(range)), found \(i)")
            return nil
        }
        return i
    }

    /// A number satisfying `check` (described by `requirement`, e.g. "greater than 0").
    public mutating func double(_ key: String, required isRequired: Bool = false,
                                _ requirement: String? = nil, _ check: ((Double) -> Bool)? = nil,
                                diagnostics: inout DiagnosticCollector) -> Double? {
        guard let v = isRequired ? required(key, diagnostics: &diagnostics) : optional(key) else { return nil }
        return SpecMappingReader.number(v, requirement, check, diagnostics: &diagnostics)
    }

    public static func number(_ v: SpecValue, _ requirement: String? = nil, _ check: ((Double) -> Bool)? = nil,
                              diagnostics: inout DiagnosticCollector) -> Double? {
        guard let d = v.doubleValue, d.isFinite else {
            let found = v.doubleValue != nil ? "'\(v.scalarText ?? "")' (not a finite number)" : v.typeName
            diagnostics.error(v.position, "'\(v.path)' must be a finite number, found \(found)")
            return nil
        }
        if let check, !check(d) {
            diagnostics.error(v.position, "'\(v.path)' must be \(requirement ?? "valid"), found \(format(d))")
            return nil
        }
        return d
    }

    public mutating func bool(_ key: String, diagnostics: inout DiagnosticCollector) -> Bool? {
        guard let v = optional(key) else { return nil }
        guard let b = v.boolValue else {
            diagnostics.error(v.position, "'\(v.path)' must be true or false, found \(v.typeName)")
            return nil
        }
        return b
    }

    /// A string that must be one of `choices`.
    public mutating func choice(_ key: String, _ choices: [String], required isRequired: Bool = false,
                                diagnostics: inout DiagnosticCollector) -> String? {
        guard let v = isRequired ? required(key, diagnostics: &diagnostics) : optional(key) else { return nil }
        guard let s = v.stringValue, choices.contains(s) else {
            let found = v.stringValue.map { "'\($0)'" } ?? v.typeName
            diagnostics.error(v.position, "'\(v.path)' must be one of \(choices.joined(separator: ", ")), found \(found)."
                              + NameSuggestion.didYouMean(v.stringValue ?? "", in: choices))
            return nil
        }
        return s
    }

    /// A list of strings; a single string is accepted as a one-element list.
    public mutating func stringList(_ key: String, required isRequired: Bool = false,
                                    diagnostics: inout DiagnosticCollector) -> [String]? {
        guard let v = isRequired ? required(key, diagnostics: &diagnostics) : optional(key) else { return nil }
        return SpecMappingReader.strings(v, diagnostics: &diagnostics)
    }

    public static func strings(_ v: SpecValue, diagnostics: inout DiagnosticCollector) -> [String]? {
        if let s = v.stringValue, v.sequenceItems == nil { return [s] }
        guard let items = v.sequenceItems else {
            diagnostics.error(v.position, "'\(v.path)' must be a list of names, found \(v.typeName)")
            return nil
        }
        var out: [String] = []
        var ok = true
        for item in items {
            if let s = item.stringValue, item.mappingEntries == nil { out.append(s) } else {
                diagnostics.error(item.position, "'\(item.path)' must be a name, found \(item.typeName)")
                ok = false
            }
        }
        return ok ? out : nil
    }

    /// Reports every key that no accessor asked for.
    public func finish(diagnostics: inout DiagnosticCollector) {
        for entry in entries where !used.contains(entry.key) {
            let path = value.path.isEmpty ? entry.key : "\(value.path).\(entry.key)"
            diagnostics.error(entry.keyPosition, "unknown key '\(path)'."
                              + NameSuggestion.didYouMean(entry.key, in: known)
                              + (NameSuggestion.nearest(to: entry.key, in: known) == nil
                                 ? " Known keys: \(known.joined(separator: ", "))." : ""))
        }
    }

    static func describe(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max { return "at least \(range.lowerBound)" }
        return "between \(range.lowerBound) and \(range.upperBound)"
    }

    static func format(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return String(d)
    }
}
