import PrivateLearning
/// `export: {model: name}` writes the trained model in dpflow's JSON format to the run's output folder;
/// `export: {keras: name, format: keras2|keras3}` writes a Keras JSON + weights pair through a `ModelExporter`
/// registered by the Keras interop module.
public struct ExportStage: PipelineStage {
    public static let kind = "export"
    public enum Target: Sendable, Equatable {
        case model(String)
        case external(exporter: String, name: String, format: String?)
    }
    public var position: SourcePosition
    public var target: Target

    public var inputs: [PipelineArtifact] { [.model] }

    public static let definition = StageDefinition(
        name: kind, summary: "Write the trained model to the run's output folder.",
        keys: [
            .init("model", "name", "file name (without extension) of the dpflow model JSON"),
            .init("keras", "name", "file name of a Keras JSON + .npz pair (needs the Keras exporter)"),
            .init("format", "keras2 | keras3", "Keras generation (with 'keras')"),
        ],
        decode: { value, diagnostics in
            guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
            let errorsBefore = diagnostics.diagnostics.count
            let model = r.string("model", diagnostics: &diagnostics)
            let keras = r.string("keras", diagnostics: &diagnostics)
            let formatValue = r.optional("format")
            let format = r.string("format", diagnostics: &diagnostics)
            r.finish(diagnostics: &diagnostics)
            for name in [model, keras].compactMap({ $0 }) {
                // The file is written after training: a name the file system refuses (too long, a control
                // character, a separator) must fail here, before the reservation, not at the write.
                if let problem = PipelineSpec.folderNameProblem(name) {
                    diagnostics.error(value.position, "export name: \(problem)")
                } else if name.hasPrefix(".") {
                    diagnostics.error(value.position, "export name '\(name)' must be a plain file name (no '/', not starting with '.')")
                }
            }
            if (model == nil) == (keras == nil) {
                diagnostics.error(value.position, "'\(value.path)' needs exactly one of 'model' or 'keras'")
            }
            if model != nil, let formatValue {
                diagnostics.error(formatValue.position, "'format' applies to 'keras' exports only")
            }
            guard diagnostics.diagnostics.count == errorsBefore else { return nil }
            if let model { return ExportStage(position: value.position, target: .model(model)) }
            return ExportStage(position: value.position, target: .external(exporter: "keras", name: keras!, format: format))
        })

    public func resolve(_ context: inout ResolutionContext) {
        let name: String
        switch target {
        case .model(let n): name = n
        case .external(let exporter, let n, let format):
            name = n
            if let resolver = context.stages.modelExporters[exporter] {
                if let format, !resolver.formats.contains(format) {
                    context.diagnostics.error(position, "unknown \(exporter) format '\(format)'."
                                              + NameSuggestion.didYouMean(format, in: resolver.formats)
                                              + " Known formats: \(resolver.formats.joined(separator: ", ")).")
                }
            } else {
                context.diagnostics.error(position, "no '\(exporter)' exporter is registered in this build of dpflow")
            }
        }
        if context.exportedNames.contains(name) {
            context.diagnostics.error(position, "export name '\(name)' is used twice")
        }
        context.exportedNames.insert(name)
    }
}
