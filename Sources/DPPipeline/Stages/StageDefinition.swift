/// How a stage is written in files: its name, what it does, its keys, the decoder that turns a YAML entry into a
/// configured `PipelineStage` (phase a of validation), and its ordering constraints. Built-in and third-party
/// stages are registered the same way (`StageRegistry.register`, or `PluginRegistry.registerStage` from a plugin
/// library); the resolver checks every constraint with the stage's `file:line:column`.
///
/// What a stage needs and produces is declared by the configured stage (`PipelineStage.inputs`/`outputs`, typed
/// `ArtifactKey`s), its privacy cost by `PipelineStage.cost(_:)`; the definition adds the constraints that do not
/// follow from data flow.
public struct StageDefinition: Sendable {
    /// One documented key of a stage, shown by `dpflow plugins`.
    public struct Key: Sendable, Hashable {
        public var name: String
        public var type: String
        public var required: Bool
        public var summary: String
        public init(_ name: String, _ type: String, required: Bool = false, _ summary: String) {
            self.name = name
            self.type = type
            self.required = required
            self.summary = summary
        }
    }

    /// Where a stage may stand relative to others.
    public struct Ordering: Sendable, Hashable {
        /// Stages (by name) that, when present, must all come before this one.
        public var after: [String]
        /// Stages (by name) that, when present, must all come after this one.
        public var before: [String]
        /// At most one stage of this name per pipeline.
        public var atMostOnce: Bool

        public init(after: [String] = [], before: [String] = [], atMostOnce: Bool = false) {
            self.after = after
            self.before = before
            self.atMostOnce = atMostOnce
        }

        /// No constraint beyond data flow.
        public static let free = Ordering()
        /// At most once per pipeline.
        public static let once = Ordering(atMostOnce: true)
    }

    public typealias Decoder = @Sendable (_ value: SpecValue, _ diagnostics: inout DiagnosticCollector) -> (any PipelineStage)?

    public var name: String
    public var summary: String
    public var keys: [Key]
    public var decode: Decoder
    public var ordering: Ordering

    public init(name: String, summary: String, keys: [Key], ordering: Ordering = .free, decode: @escaping Decoder) {
        self.name = name
        self.summary = summary
        self.keys = keys
        self.ordering = ordering
        self.decode = decode
    }

    /// This definition with other ordering constraints (used to register the built-in stages).
    public func ordered(_ ordering: Ordering) -> StageDefinition {
        var copy = self
        copy.ordering = ordering
        return copy
    }
}
