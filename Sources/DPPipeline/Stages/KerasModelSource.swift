import Foundation
import KerasInterop
import PrivateLearning

/// `train: {model: {keras_json: local_model.json, weights: weights.npz}}`: a Keras Sequential model (Keras 2 or 3
/// JSON, optional `.npz` weights from `numpy.savez(path, *model.get_weights())`) fine-tuned with DP-SGD.
/// Registered under `keras_json` by `PipelineEnvironment.standard()`.
public struct KerasModelSource: ModelSourceResolver {
    public init() {}

    public var keys: [String] { ["keras_json", "weights"] }

    static func paths(_ spec: SpecValue) -> (json: String?, weights: String?) {
        let entries = spec.mappingEntries ?? []
        return (entries.first { $0.key == "keras_json" }?.value.stringValue,
                entries.first { $0.key == "weights" }?.value.stringValue)
    }

    public func validate(_ spec: SpecValue, directory: String, featureWidth: Int?, plugins: PluginRegistry,
                         diagnostics: inout DiagnosticCollector) {
        let (json, weights) = Self.paths(spec)
        guard let json else {
            diagnostics.error(spec.position, "'\(spec.path).keras_json' must be the path of a Keras model JSON file")
            return
        }
        for problem in KerasModelImporter.problems(kerasJSON: json, weights: weights, relativeTo: URL(fileURLWithPath: directory),
                                                   registry: plugins, featureWidth: featureWidth) {
            // The interop error names its file as "file: error: …"; nested under our position, drop its "error:".
            diagnostics.error(spec.position, "Keras model: " + "\(problem)".replacingOccurrences(of: ": error: ", with: ": "))
        }
    }

    /// The output width of the JSON's model (built without weights; its size limits were checked by `validate`).
    public func outputWidth(_ spec: SpecValue, directory: String, plugins: PluginRegistry) -> Int? {
        guard let json = Self.paths(spec).json else { return nil }
        let url = URL(fileURLWithPath: json, relativeTo: URL(fileURLWithPath: directory, isDirectory: true))
        guard let parsed = try? KerasModelSpec(contentsOf: url, registry: plugins),
              let model = try? KerasModelImporter.makeModel(spec: parsed, weights: nil, registry: plugins) else { return nil }
        return model.outputShape.reduce(1, *)
    }

    public func makeModel(_ spec: SpecValue, directory: String, inputWidth: Int, plugins: PluginRegistry) throws -> ModelSourceResult {
        let (json, weights) = Self.paths(spec)
        guard let json else {
            throw PipelineError.invalidPipeline([PipelineDiagnostic(spec.position, "missing 'keras_json'")])
        }
        let imported = try KerasModelImporter.load(kerasJSON: json, weights: weights, relativeTo: URL(fileURLWithPath: directory),
                                                   registry: plugins)
        guard imported.model.inputShape.reduce(1, *) == inputWidth else {
            throw PipelineError.invalidPipeline([PipelineDiagnostic(spec.position,
                "the Keras model takes \(imported.model.inputShape.reduce(1, *)) inputs but the selected features encode to \(inputWidth)")])
        }
        return ModelSourceResult(model: imported.model, origin: imported)
    }
}

/// `export: {keras: name, format: keras2|keras3}`: writes `name.json` and `name.weights.npz`.
/// Registered under `keras` by `PipelineEnvironment.standard()`.
public struct KerasExporter: ModelExporter {
    public init() {}

    public var formats: [String] { KerasGeneration.allCases.map(\.rawValue).sorted().reversed() }

    /// Without `format`, a model imported from Keras is written in its own generation (and keeps its layer
    /// names); a model declared in the pipeline is written for Keras 3.
    public func export(_ model: Sequential, origin: Any?, name: String, format: String?, to directory: String) throws -> [String] {
        let files = try KerasModelExporter.export(model: model, importedFrom: origin as? ImportedKerasModel,
                                                  format: format.flatMap(KerasGeneration.init(rawValue:)),
                                                  into: URL(fileURLWithPath: directory), baseName: name)
        return [files.json.lastPathComponent, files.weights.lastPathComponent]
    }
}
