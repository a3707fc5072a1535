/// Everything dpflow needs to know about a plugin besides its code, stated once: its name, kind and
/// summary, its parameters (name, type, default, allowed range, one-line doc), its aliases, how Keras
/// spells it, and — for a loss — the target encoding it expects.
///
/// The registry derives from it: the parameter checks every factory call goes through (unknown keys
/// with a suggestion, types, ranges, defaults), `dpflow plugins`, the Keras layer catalog, the target
/// encoding DPPipeline gives a loss, and the reference table in docs/plugins.md.
/// ```swift
/// extension GatedLinear {
///     public static let declaration = PluginDeclaration(
///         layer: "gated_linear", summary: "(x·W + b) ⊙ σ(x·V + c)",
///         parameters: [.int("units", min: 1, "output features per example")])
/// }
/// try registry.register(GatedLinear.declaration) { p in GatedLinear(units: try p.int("units")) }
/// ```
public struct PluginDeclaration: Sendable {
    public var kind: PluginKind
    /// Registry name, as pipeline files write it (the Keras snake-case spelling where there is one).
    public var name: String
    /// One line shown by `dpflow plugins` and in the docs table.
    public var summary: String
    public var parameters: [DeclaredParameter]
    /// Other names for the same plugin (`mse` for `mean_squared_error`).
    public var aliases: [String]
    /// How Keras model files spell this layer; nil when Keras has no such class.
    public var keras: KerasDeclaration?
    /// For a loss: how the pipeline must encode the label column for it.
    public var targetEncoding: TargetEncoding?
    /// Keys Keras configurations carry that the plugin accepts and ignores (`name`, `reduction`, …).
    public var ignoredKeys: [String]

    public init(kind: PluginKind, name: String, summary: String, parameters: [DeclaredParameter] = [],
                aliases: [String] = [], keras: KerasDeclaration? = nil, targetEncoding: TargetEncoding? = nil,
                ignoredKeys: [String] = ["name"]) {
        self.kind = kind
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.aliases = aliases
        self.keras = keras
        self.targetEncoding = targetEncoding
        self.ignoredKeys = ignoredKeys
    }

    /// A layer declaration.
    public init(layer name: String, summary: String, parameters: [DeclaredParameter] = [], aliases: [String] = [],
                keras: KerasDeclaration? = nil, ignoredKeys: [String] = ["name"]) {
        self.init(kind: .layer, name: name, summary: summary, parameters: parameters, aliases: aliases, keras: keras,
                  ignoredKeys: ignoredKeys)
    }

    /// A loss declaration: `targetEncoding` says what targets the loss is written for.
    public init(loss name: String, summary: String, targetEncoding: TargetEncoding, parameters: [DeclaredParameter] = [],
                aliases: [String] = []) {
        self.init(kind: .loss, name: name, summary: summary, parameters: parameters, aliases: aliases,
                  targetEncoding: targetEncoding, ignoredKeys: ["name", "reduction"])
    }

    /// An optimizer declaration.
    public init(optimizer name: String, summary: String, parameters: [DeclaredParameter] = [], aliases: [String] = []) {
        self.init(kind: .optimizer, name: name, summary: summary, parameters: parameters, aliases: aliases)
    }

    /// The documented parameters in the form `dpflow plugins` lists them.
    public var parameterDescriptions: [ParameterDescription] {
        parameters.filter { !$0.isHidden }.map {
            ParameterDescription($0.name, type: $0.type.text, default: $0.defaultText, $0.doc)
        }
    }
}

/// The targets a loss is written for; the pipeline encodes the label column accordingly and checks the
/// model's output width against it, without matching on the loss's name.
public enum TargetEncoding: String, Sendable, CaseIterable {
    /// One 0/1 value per example; the model has 1 output (`binary_crossentropy`). Label: 2 values.
    case binary
    /// One class index per example; the model has one output per class (`sparse_categorical_crossentropy`).
    case integerClass = "integer_class"
    /// One-hot rows; the model has one output per class (`categorical_crossentropy`).
    case oneHot = "one_hot"
    /// One real value per example, scaled by the label's declared bounds; the model has 1 output (`mse`).
    case real
}

/// How Keras model files spell a layer plugin.
public struct KerasDeclaration: Sendable {
    /// Keras class name (`Dense`).
    public var className: String
    /// Keras config keys passed to the factory under the same name; nil means every declared parameter.
    public var options: [String]?
    /// Keras config keys accepted only at one of the listed values (else refused with `reason`).
    public var fixed: [String: FixedOption]
    /// Keras config keys that must be given (not null) for this class.
    public var required: [String]

    public struct FixedOption: Sendable {
        public var allowed: [PluginParameter]
        public var reason: String
        public init(_ allowed: [PluginParameter], _ reason: String) {
            self.allowed = allowed
            self.reason = reason
        }
    }

    public init(_ className: String, options: [String]? = nil, fixed: [String: FixedOption] = [:], required: [String] = []) {
        self.className = className
        self.options = options
        self.fixed = fixed
        self.required = required
    }
}
