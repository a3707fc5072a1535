import PrivateLearning
import Foundation

/// Phase (a) of validation: YAML text → `PipelineSpec`, collecting every structural error
/// (unknown keys with their YAML path, wrong types, out-of-range values, missing keys, unknown stage names).
public struct PipelineParser: Sendable {
    public var stages: StageRegistry

    public init(stages: StageRegistry = .standard) {
        self.stages = stages
    }

    /// Reads and decodes a pipeline file.
    /// - Parameter path: the path as the user wrote it; diagnostics repeat it verbatim.
    /// - Throws: `PipelineError.unreadableFile`, or `.invalidPipeline` with every problem found.
    public func parse(file path: String) throws -> PipelineSpec {
        let (text, directory) = try Self.read(file: path)
        return try parse(yaml: text, file: path, directory: directory)
    }

    /// The text of a pipeline file and the folder its relative paths resolve against.
    public static func read(file path: String) throws -> (text: String, directory: String) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError.unreadableFile(path: path, reason: "cannot read the pipeline file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PipelineError.unreadableFile(path: path, reason: "the pipeline file is not UTF-8 text")
        }
        let directory = (path as NSString).deletingLastPathComponent
        return (text, directory.isEmpty ? "." : directory)
    }

    /// Decodes pipeline text; `directory` is what relative paths in it are resolved against.
    public func parse(yaml text: String, file: String = "<string>", directory: String = ".") throws -> PipelineSpec {
        let (spec, diagnostics) = try decode(yaml: text, file: file, directory: directory)
        if diagnostics.hasErrors { throw PipelineError.invalidPipeline(diagnostics.sorted) }
        return spec!
    }

    /// Decodes as much as possible: the spec holds every stage that decoded (the others are reported), so that
    /// phase (b) can still resolve them and all problems are reported at once. The spec is nil only when the
    /// text is not a YAML mapping.
    /// - Throws: `PipelineError.invalidPipeline` for YAML syntax errors.
    public func decode(yaml text: String, file: String, directory: String) throws -> (PipelineSpec?, DiagnosticCollector) {
        let root = try SpecValue.parse(yaml: text, file: file)
        var diagnostics = DiagnosticCollector()
        guard var r = SpecMappingReader(root, what: "a pipeline file", diagnostics: &diagnostics) else {
            return (nil, diagnostics)
        }
        let name = r.string("name", required: true, diagnostics: &diagnostics)
        let description = r.string("description", diagnostics: &diagnostics)
        let pluginLibraries = decodePluginLibraries(r.optional("plugins"), diagnostics: &diagnostics)
        let privacy = decodePrivacy(r.required("privacy", diagnostics: &diagnostics), root: root, diagnostics: &diagnostics)
        var decoded: [any PipelineStage] = []
        if let stagesValue = r.required("stages", diagnostics: &diagnostics) {
            if let items = stagesValue.sequenceItems {
                if items.isEmpty { diagnostics.error(stagesValue.position, "'stages' must list at least one stage") }
                for item in items {
                    if let stage = decodeStage(item, diagnostics: &diagnostics) { decoded.append(stage) }
                }
            } else {
                diagnostics.error(stagesValue.position, "'stages' must be a list of stages, found \(stagesValue.typeName)")
            }
        }
        r.finish(diagnostics: &diagnostics)
        if let name, name.isEmpty || name.contains("/") {
            diagnostics.error(root.position, "'name' must be a non-empty name without '/'")
        }
        let spec = PipelineSpec(name: name ?? "", description: description,
                                privacy: privacy ?? PrivacySpec(dataset: nil, budget: nil, delta: nil, accountant: "rdp", position: root.position),
                                stages: decoded, file: file, directory: directory, position: root.position, sourceText: text,
                                isComplete: !diagnostics.hasErrors, pluginLibraries: pluginLibraries)
        return (spec, diagnostics)
    }

    /// `plugins: [PATH, …]`: plugin library files, relative to the pipeline file's folder.
    private func decodePluginLibraries(_ value: SpecValue?, diagnostics: inout DiagnosticCollector) -> [PluginLibraryReference] {
        guard let value else { return [] }
        let items = value.sequenceItems ?? [value]
        var out: [PluginLibraryReference] = []
        for item in items {
            guard let path = item.stringValue, item.mappingEntries == nil, !path.isEmpty else {
                diagnostics.error(item.position, "'\(item.path)' must be the path of a plugin library (.so), found \(item.typeName)")
                continue
            }
            out.append(PluginLibraryReference(path: path, position: item.position))
        }
        return out
    }

    private func decodePrivacy(_ value: SpecValue?, root: SpecValue, diagnostics: inout DiagnosticCollector) -> PrivacySpec? {
        guard let value else { return nil }
        guard var r = SpecMappingReader(value, what: "'privacy'", diagnostics: &diagnostics) else { return nil }
        var spec = PrivacySpec(dataset: nil, budget: nil, delta: nil, accountant: "rdp", position: value.position)
        spec.dataset = r.string("dataset", diagnostics: &diagnostics)
        if let budgetValue = r.optional("budget"),
           var b = SpecMappingReader(budgetValue, what: "'privacy.budget'", diagnostics: &diagnostics) {
            let epsilon = b.double("epsilon", required: true, SpecLimits.within(SpecLimits.budgetEpsilon), diagnostics: &diagnostics)
            let delta = b.double("delta", required: true, SpecLimits.within(SpecLimits.budgetDelta), diagnostics: &diagnostics)
            b.finish(diagnostics: &diagnostics)
            if let epsilon, let delta { spec.budget = (epsilon, delta) }
        }
        spec.delta = r.double("delta", SpecLimits.within(SpecLimits.trainingDelta), diagnostics: &diagnostics)
        spec.accountant = r.choice("accountant", ["rdp", "pld"], diagnostics: &diagnostics) ?? "rdp"
        decodeNeighbouring(&r, into: &spec, diagnostics: &diagnostics)
        decodePrivacyUnit(&r, into: &spec, diagnostics: &diagnostics)
        r.finish(diagnostics: &diagnostics)
        return spec
    }

    private func decodeStage(_ item: SpecValue, diagnostics: inout DiagnosticCollector) -> (any PipelineStage)? {
        let names = stages.names
        guard let entries = item.mappingEntries, entries.count == 1 else {
            if let bare = item.stringValue, item.mappingEntries == nil {
                if let definition = stages.definition(named: bare) {
                    let null = SpecValue(kind: .scalar("", quoted: false), position: item.position, path: "\(item.path).\(bare)")
                    return definition.decode(null, &diagnostics)
                }
                diagnostics.error(item.position, "unknown stage '\(bare)'." + NameSuggestion.didYouMean(bare, in: names)
                                  + " Known stages: \(names.joined(separator: ", ")).")
                return nil
            }
            let found = item.mappingEntries.map { "a mapping with keys \($0.map { "'\($0.key)'" }.joined(separator: ", "))" } ?? item.typeName
            diagnostics.error(item.position, "each stage must be a one-key mapping such as '- load: {…}', found \(found) at '\(item.path)'")
            return nil
        }
        let entry = entries[0]
        guard let definition = stages.definition(named: entry.key) else {
            diagnostics.error(entry.keyPosition, "unknown stage '\(entry.key)'." + NameSuggestion.didYouMean(entry.key, in: names)
                              + " Known stages: \(names.joined(separator: ", ")).")
            return nil
        }
        // Stage-level messages point at the stage's name, where the reader looks for the stage.
        var value = entry.value
        value.position = entry.keyPosition
        return definition.decode(value, &diagnostics)
    }
}
