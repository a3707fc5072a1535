import Foundation
import Testing
@testable import DPPipeline

/// The `keras_json` model source and the `keras` exporter, registered by `PipelineEnvironment.standard()`.
@Suite("Keras keys in pipelines")
struct KerasHookTests {
    static let fixture = Fixtures.repositoryRoot + "/Tests/KerasInteropTests/Fixtures/keras3/binary_sigmoid"

    static func yaml(model: String, export: String) -> String {
        Fixtures.validBreastCancer
            .replacingOccurrences(of: "data/breast_cancer.csv", with: Fixtures.data + "/breast_cancer.csv")
            .replacingOccurrences(of: """
                  model:
                    - dense: {units: 8, activation: relu}
                    - dense: {units: 1, activation: sigmoid}
            """, with: "      model: \(model)")
            .replacingOccurrences(of: "- export: {model: model}", with: "- export: \(export)")
    }

    @Test("a Keras model fine-tunes with DP-SGD and exports as a Keras pair")
    func fineTuneAndExport() throws {
        let dir = Fixtures.temporaryDirectory()
        let file = dir + "/keras.yaml"
        try Self.yaml(model: "{keras_json: \(Self.fixture).json, weights: \(Self.fixture).weights.npz}",
                      export: "{keras: tuned, format: keras2}").write(toFile: file, atomically: true, encoding: .utf8)
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let report = try runner.run(file: file, options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/l.sqlite",
                                                                   seed: 1, epochsOverride: 1))
        #expect(report.outputs.contains("tuned.json"))
        #expect(report.outputs.contains("tuned.weights.npz"))
        let json = try String(contentsOfFile: dir + "/out/tuned.json", encoding: .utf8)
        #expect(json.contains("Sequential"))
    }

    @Test("without a format, an imported Keras 2 model is exported for Keras 2")
    func exportKeepsImportedGeneration() throws {
        let dir = Fixtures.temporaryDirectory()
        let keras2 = Self.fixture.replacingOccurrences(of: "/keras3/", with: "/keras2/")
        let file = dir + "/keras2.yaml"
        try Self.yaml(model: "{keras_json: \(keras2).json, weights: \(keras2).weights.npz}", export: "{keras: tuned}")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        _ = try runner.run(file: file, options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/l.sqlite",
                                                           seed: 1, epochsOverride: 1))
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/out/tuned.json"))) as? [String: Any]
        #expect((object?["keras_version"] as? String)?.hasPrefix("2.") == true)
        #expect(object?["module"] == nil)
    }

    @Test("the loss is checked against an imported model's outputs before any reservation (a mismatch trapped inside the loss)")
    func lossMatchesImportedOutputs() throws {
        let yaml = Self.yaml(model: "{keras_json: \(Self.fixture).json, weights: \(Self.fixture).weights.npz}", export: "{keras: m}")
        #expect(throws: Never.self) {
            try Pipeline.load(yaml: yaml, file: "k.yaml", directory: Fixtures.pipelines, environment: TestEnvironment.make())
        }
        let wrong = yaml.replacingOccurrences(of: "loss: binary_crossentropy", with: "loss: categorical_crossentropy")
        do {
            _ = try Pipeline.load(yaml: wrong, file: "k.yaml", directory: Fixtures.pipelines, environment: TestEnvironment.make())
            Issue.record("categorical_crossentropy on a 1-output Keras model was accepted")
        } catch let PipelineError.invalidPipeline(diagnostics) {
            let text = diagnostics.map(\.description).joined(separator: "\n")
            #expect(text.contains("categorical_crossentropy: the last layer has 1 outputs but 'target' declares 2 values"), "\(text)")
        }
    }

    @Test("Keras problems are pipeline diagnostics; unknown keys and formats are errors")
    func diagnostics() throws {
        let yaml = Self.yaml(model: "{keras_json: nope.json, weigths: w.npz}", export: "{keras: m, format: keras4}")
        do {
            _ = try Pipeline.load(yaml: yaml, file: "k.yaml", directory: Fixtures.pipelines, environment: TestEnvironment.make())
            Issue.record("expected errors")
        } catch let PipelineError.invalidPipeline(diagnostics) {
            let text = diagnostics.map(\.description).joined(separator: "\n")
            #expect(text.contains("unknown key 'stages[3].train.model.weigths' for a 'keras_json' model. Did you mean 'weights'?"))
            #expect(text.contains("nope.json"))
            // 'keras2' and 'keras3' are equally close; the core NameSuggestion breaks ties alphabetically.
            #expect(text.contains("unknown keras format 'keras4'. Did you mean 'keras2'?"))
            #expect(!text.contains("error: /"))
        }
    }
}
