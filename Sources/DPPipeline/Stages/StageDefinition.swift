/// How a stage is written in files: its name, what it does, its keys, and the decoder that turns a YAML
/// entry into a configured `PipelineStage` (phase a of validation).
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

    public typealias Decoder = @Sendable (_ value: SpecValue, _ diagnostics: inout DiagnosticCollector) -> (any PipelineStage)?

    public var name: String
    public var summary: String
    public var keys: [Key]
    public var decode: Decoder

    public init(name: String, summary: String, keys: [Key], decode: @escaping Decoder) {
        self.name = name
        self.summary = summary
        self.keys = keys
        self.decode = decode
    }
}
