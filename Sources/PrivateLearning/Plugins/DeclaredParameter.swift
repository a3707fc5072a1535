/// One declared plugin parameter: name, type with its allowed range, default, one-line doc.
public struct DeclaredParameter: Sendable {
    public var name: String
    public var type: DeclaredParameterType
    /// Value used when the parameter is absent or null; nil when the parameter is required (or has no value).
    public var defaultValue: PluginParameter?
    /// How the default reads in docs when it is not a plain value ("drawn from the model seed").
    public var defaultNote: String?
    public var doc: String
    /// Accepted for Keras compatibility but not listed (`axis` of layer_normalization).
    public var isHidden: Bool = false

    public init(_ name: String, _ type: DeclaredParameterType, default defaultValue: PluginParameter? = nil,
                defaultNote: String? = nil, _ doc: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.defaultNote = defaultNote
        self.doc = doc
    }

    /// An integer, at least `min` when given.
    public static func int(_ name: String, min: Int? = nil, default value: Int? = nil, _ doc: String) -> DeclaredParameter {
        DeclaredParameter(name, .int(min: min), default: value.map(PluginParameter.int), doc)
    }

    /// A number within `range`.
    public static func number(_ name: String, _ range: NumberRange = .any, default value: Double? = nil, _ doc: String) -> DeclaredParameter {
        DeclaredParameter(name, .number(range), default: value.map(PluginParameter.double), doc)
    }

    public static func bool(_ name: String, default value: Bool? = nil, _ doc: String) -> DeclaredParameter {
        DeclaredParameter(name, .bool, default: value.map(PluginParameter.bool), doc)
    }

    /// A string that must be one of `choices` (or of the unlisted `aliases`), compared case-insensitively.
    public static func choice(_ name: String, _ choices: [String], aliases: [String] = [], default value: String? = nil,
                              _ doc: String) -> DeclaredParameter {
        DeclaredParameter(name, .choice(choices, aliases: aliases), default: value.map(PluginParameter.string), doc)
    }

    /// An integer > 0 or a list of `rank` of them (Keras' `kernel_size: 3` or `[3, 3]`); read it with
    /// `DeclaredParameters.sizes`. A default given as one integer stands for `rank` copies of it.
    public static func sizes(_ name: String, rank: Int, default value: Int? = nil, defaultNote: String? = nil,
                             _ doc: String) -> DeclaredParameter {
        DeclaredParameter(name, .sizes(rank: rank), default: value.map(PluginParameter.int), defaultNote: defaultNote, doc)
    }

    /// A per-example shape: a list of 1 to `maxRank` integers, each > 0 or -1 (Keras' `target_shape`); read it
    /// with `DeclaredParameters.ints`.
    public static func shape(_ name: String, maxRank: Int, _ doc: String) -> DeclaredParameter {
        DeclaredParameter(name, .shape(maxRank: maxRank), doc)
    }

    /// A key accepted only at one of `allowed` (a Keras option dpflow does not implement); hidden from listings.
    public static func fixed(_ name: String, _ allowed: [PluginParameter], expected: String) -> DeclaredParameter {
        var p = DeclaredParameter(name, .fixed(allowed, expected: expected), default: allowed.first, "")
        p.isHidden = true
        return p
    }

    /// The default as written in docs and `dpflow plugins`; nil when required.
    public var defaultText: String? {
        if let defaultNote { return defaultNote }
        return defaultValue.map(Self.text)
    }

    static func text(_ value: PluginParameter) -> String {
        switch value {
        case .int(let v): "\(v)"
        case .double(let v): "\(v)"
        case .string(let v): v
        case .bool(let v): v ? "true" : "false"
        case .null: "null"
        case .list(let v): "[" + v.map(text).joined(separator: ", ") + "]"
        case .dictionary: "{…}"
        }
    }
}

/// An interval of real numbers with open or closed ends, e.g. `[0, 1)`.
public struct NumberRange: Sendable, Equatable {
    public var lower: Double?
    public var lowerInclusive: Bool
    public var upper: Double?
    public var upperInclusive: Bool

    public init(lower: Double?, lowerInclusive: Bool = true, upper: Double?, upperInclusive: Bool = true) {
        self.lower = lower
        self.lowerInclusive = lowerInclusive
        self.upper = upper
        self.upperInclusive = upperInclusive
    }

    /// Any finite number.
    public static let any = NumberRange(lower: nil, upper: nil)
    /// x > 0.
    public static let positive = NumberRange(lower: 0, lowerInclusive: false, upper: nil)
    /// x ≥ 0.
    public static let nonNegative = NumberRange(lower: 0, upper: nil)
    /// 0 ≤ x < 1 (rates, decays, momenta).
    public static let unitOpen = NumberRange(lower: 0, upper: 1, upperInclusive: false)
    /// 0 ≤ x ≤ 1.
    public static let unitClosed = NumberRange(lower: 0, upper: 1)

    public func contains(_ x: Double) -> Bool {
        guard x.isFinite else { return false }
        if let lower, lowerInclusive ? x < lower : x <= lower { return false }
        if let upper, upperInclusive ? x > upper : x >= upper { return false }
        return true
    }

    /// "number > 0", "number in [0, 1)", "number".
    public var text: String {
        func f(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : "\(v)" }
        switch (lower, upper) {
        case (nil, nil): return "number"
        // One-sided bounds read as ParameterReader always wrote them ("> 0.0"); intervals as "[0, 1)".
        case (let l?, nil): return "number \(lowerInclusive ? "≥" : ">") \(l)"
        case (nil, let u?): return "number \(upperInclusive ? "≤" : "<") \(u)"
        case (let l?, let u?): return "number in \(lowerInclusive ? "[" : "(")\(f(l)), \(f(u))\(upperInclusive ? "]" : ")")"
        }
    }
}

/// The type and accepted values of a declared parameter.
public enum DeclaredParameterType: Sendable, Equatable {
    case int(min: Int?)
    case number(NumberRange)
    case bool
    case string
    case choice([String], aliases: [String])
    /// Only one of the listed values (a Keras option that is not implemented).
    case fixed([PluginParameter], expected: String)
    /// An integer > 0 or a list of `rank` of them (window sizes, strides, dilations).
    case sizes(rank: Int)
    /// A list of 1 to `maxRank` integers, each > 0 or -1 (a per-example shape).
    case shape(maxRank: Int)

    /// "int > 0", "number in [0, 1)", "relu|sigmoid|…".
    public var text: String {
        switch self {
        case .int(let min?): min == 1 ? "int > 0" : "int ≥ \(min)"
        case .int: "int"
        case .number(let range): range.text
        case .bool: "bool"
        case .string: "string"
        case .choice(let choices, _): choices.joined(separator: "|")
        case .fixed(_, let expected): expected
        case .sizes(let rank): rank == 1 ? "int > 0" : "int > 0 | [" + Array(repeating: "int", count: rank).joined(separator: ", ") + "]"
        case .shape: "[int]"
        }
    }

    /// What an error says is accepted ("an integer > 0", "one of relu, sigmoid").
    var expected: String {
        switch self {
        case .int(let min?): min == 1 ? "an integer > 0" : "an integer ≥ \(min)"
        case .int: "an integer"
        case .number(let range): range == .any ? "a number" : "a " + range.text
        case .bool: "true or false"
        case .string: "a string"
        case .choice(let choices, _): "one of " + choices.joined(separator: ", ")
        case .fixed(_, let expected): expected
        case .sizes(let rank): rank == 1 ? "an integer > 0 or a list of 1" : "an integer > 0 or a list of \(rank) integers > 0"
        case .shape(let maxRank): "a list of 1 to \(maxRank) integers, each > 0 or -1"
        }
    }
}
