import Yams

/// A YAML value with the position it came from: the representation that pipeline decoding works on,
/// so that every error can name `file:line:column`.
public struct SpecValue: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A scalar as written. `quoted` is true for quoted and block scalars, which are always strings.
        case scalar(String, quoted: Bool)
        /// A mapping, in file order.
        case mapping([SpecEntry])
        case sequence([SpecValue])
    }

    public var kind: Kind
    public var position: SourcePosition
    /// The YAML path of this value, e.g. `stages[3].train.epochs`, for messages.
    public var path: String

    public init(kind: Kind, position: SourcePosition, path: String) {
        self.kind = kind
        self.position = position
        self.path = path
    }

    /// A short name of the YAML type, for "expected a number, found a mapping".
    public var typeName: String {
        switch kind {
        case .scalar(let s, let quoted):
            if quoted { return "a string" }
            if SpecValue.isNull(s) { return "null" }
            if SpecValue.bool(s) != nil { return "a boolean" }
            if SpecValue.int(s) != nil { return "an integer" }
            if SpecValue.double(s) != nil { return "a number" }
            return "a string"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    public var mappingEntries: [SpecEntry]? {
        if case .mapping(let e) = kind { return e }
        return nil
    }

    public var sequenceItems: [SpecValue]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    /// The scalar text, for any scalar (quoted or not).
    public var scalarText: String? {
        if case .scalar(let s, _) = kind { return s }
        return nil
    }

    /// A string: any non-null scalar (YAML `0` is accepted where a name is expected, e.g. category values).
    public var stringValue: String? {
        guard case .scalar(let s, let quoted) = kind else { return nil }
        if !quoted && SpecValue.isNull(s) { return nil }
        return s
    }

    public var intValue: Int? {
        guard case .scalar(let s, false) = kind else { return nil }
        return SpecValue.int(s)
    }

    public var doubleValue: Double? {
        guard case .scalar(let s, false) = kind else { return nil }
        return SpecValue.double(s)
    }

    public var boolValue: Bool? {
        guard case .scalar(let s, false) = kind else { return nil }
        return SpecValue.bool(s)
    }

    public var isNull: Bool {
        if case .scalar(let s, false) = kind { return SpecValue.isNull(s) }
        return false
    }

    // MARK: YAML 1.2 core schema for plain scalars

    static func isNull(_ s: String) -> Bool { ["", "~", "null", "Null", "NULL"].contains(s) }

    static func bool(_ s: String) -> Bool? {
        switch s {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    static func int(_ s: String) -> Int? {
        guard let (negative, radix, digits) = integerLiteral(s) else { return nil }
        // The sign goes into the parse itself, so that -2⁶³ parses and nothing is ever negated (no overflow trap).
        return Int((negative ? "-" : "") + digits, radix: radix)
    }

    /// The parts of a YAML 1.2 core-schema integer (`[-+]?[0-9]+`, `0x[0-9a-fA-F]+`, `0o[0-7]+`), or nil.
    static func integerLiteral(_ s: String) -> (negative: Bool, radix: Int, digits: Substring)? {
        var t = Substring(s)
        var negative = false
        if t.hasPrefix("+") { t = t.dropFirst() } else if t.hasPrefix("-") { negative = true; t = t.dropFirst() }
        var radix = 10
        if t.hasPrefix("0x") { radix = 16; t = t.dropFirst(2) } else if t.hasPrefix("0o") { radix = 8; t = t.dropFirst(2) }
        guard !t.isEmpty, t.allSatisfy({ $0.isASCII && ($0.hexDigitValue.map { $0 < radix } ?? false) }) else { return nil }
        return (negative, radix, t)
    }

    /// True for an integer literal whose value does not fit in 64 bits.
    static func isOverflowingInteger(_ s: String) -> Bool {
        integerLiteral(s) != nil && int(s) == nil
    }

    static func double(_ s: String) -> Double? {
        switch s {
        case ".inf", ".Inf", ".INF", "+.inf": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        if let i = int(s) { return Double(i) }
        // Plain decimal or exponent notation only (so that "1e-5" works but "0x1p3" or "inf" do not).
        guard s.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }),
              s.contains(where: \.isNumber) else { return nil }
        return Double(s)
    }
}

/// One `key: value` pair of a YAML mapping, with the key's own position.
public struct SpecEntry: Sendable, Hashable {
    public var key: String
    public var keyPosition: SourcePosition
    public var value: SpecValue
}

extension SpecValue {
    /// Parses YAML text into a position-annotated value.
    /// - Throws: `PipelineError.invalidPipeline` with one diagnostic when the text is not YAML
    ///   (syntax errors, duplicate keys, non-scalar keys) or is empty.
    public static func parse(yaml: String, file: String) throws -> SpecValue {
        // Size, anchors/aliases and nesting are checked on the text, before the YAML parser builds anything.
        if let problem = YAMLPrescan.check(yaml, file: file) {
            throw PipelineError.invalidPipeline([problem])
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw PipelineError.invalidPipeline([SpecValue.diagnostic(for: error, file: file)])
        }
        guard let node else {
            throw PipelineError.invalidPipeline([PipelineDiagnostic(
                SourcePosition(file: file, line: 1, column: 1), "the pipeline file is empty")])
        }
        var diagnostics = DiagnosticCollector()
        let value = convert(node, file: file, path: "", diagnostics: &diagnostics)
        if diagnostics.hasErrors { throw PipelineError.invalidPipeline(diagnostics.sorted) }
        return value
    }

    private static func position(_ mark: Mark?, file: String) -> SourcePosition {
        SourcePosition(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    private static func convert(_ node: Node, file: String, path: String,
                                diagnostics: inout DiagnosticCollector) -> SpecValue {
        let pos = position(node.mark, file: file)
        switch node {
        case .scalar(let scalar):
            return SpecValue(kind: .scalar(scalar.string, quoted: scalar.style != .plain && scalar.style != .any),
                             position: pos, path: path)
        case .sequence(let sequence):
            var items: [SpecValue] = []
            for (i, item) in sequence.enumerated() {
                items.append(convert(item, file: file, path: "\(path)[\(i)]", diagnostics: &diagnostics))
            }
            return SpecValue(kind: .sequence(items), position: pos, path: path)
        case .mapping(let mapping):
            var entries: [SpecEntry] = []
            for (keyNode, valueNode) in mapping {
                let keyPos = position(keyNode.mark, file: file)
                guard case .scalar(let keyScalar) = keyNode else {
                    diagnostics.error(keyPos, "mapping keys must be plain names\(path.isEmpty ? "" : " (in '\(path)')")")
                    continue
                }
                let key = keyScalar.string
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                entries.append(SpecEntry(key: key, keyPosition: keyPos,
                                         value: convert(valueNode, file: file, path: childPath, diagnostics: &diagnostics)))
            }
            return SpecValue(kind: .mapping(entries), position: pos, path: path)
        case .alias(let alias):
            diagnostics.error(pos, "YAML aliases/anchors are not supported (alias '\(alias)')")
            return SpecValue(kind: .scalar("", quoted: false), position: pos, path: path)
        }
    }

    private static func diagnostic(for error: YamlError, file: String) -> PipelineDiagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let ctx = context.map { " (\($0.text) at \($0.mark.line):\($0.mark.column))" } ?? ""
            return PipelineDiagnostic(position(mark, file: file), "invalid YAML: \(problem)\(ctx)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return PipelineDiagnostic(position(context.mark, file: file),
                                      "duplicate key(s) \(duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")) in a mapping")
        case .reader(let problem, _, _, _):
            return PipelineDiagnostic(SourcePosition(file: file, line: 1, column: 1), "unreadable YAML: \(problem)")
        default:
            return PipelineDiagnostic(SourcePosition(file: file, line: 1, column: 1), "invalid YAML: \(error)")
        }
    }
}
