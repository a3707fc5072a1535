import Testing
@testable import DPPipeline
import PrivateLearning

/// Broken pipeline files and the exact diagnostics they must produce (`line:column: error: message`).
struct BrokenPipelineCase: Sendable, CustomTestStringConvertible {
    var name: String
    var yaml: String
    /// Expected diagnostics without the file prefix, in file order.
    var expected: [String]
    var testDescription: String { name }
}

/// Replaces a line of the valid pipeline that contains `old` with `new`.
private func mutate(_ old: String, _ new: String) -> String {
    precondition(Fixtures.validBreastCancer.contains(old), "fixture has no '\(old)'")
    return Fixtures.validBreastCancer.replacingOccurrences(of: old, with: new)
}

let brokenPipelines: [BrokenPipelineCase] = [
    .init(name: "misspelt layer", yaml: mutate("- dense: {units: 8", "- dens: {units: 8"),
          expected: ["16:11: error: unknown layer 'dens'. Did you mean 'dense'?"]),
    .init(name: "unknown loss", yaml: mutate("loss: binary_crossentropy", "loss: binary_crossentropi"),
          expected: ["18:13: error: unknown loss 'binary_crossentropi'. Did you mean 'binary_crossentropy'?"]),
    .init(name: "unknown layer parameter", yaml: mutate("{units: 8, activation: relu}", "{units: 8, activaton: relu}"),
          expected: ["16:29: error: unknown parameter 'activaton' of layer 'dense'. Did you mean 'activation'?"]),
    .init(name: "binary loss with two outputs", yaml: mutate("{units: 1, activation: sigmoid}", "{units: 2, activation: sigmoid}"),
          expected: ["17:11: error: binary_crossentropy needs a model with 1 output; this model has 2"]),
    .init(name: "batch normalisation refused", yaml: mutate("- dense: {units: 1, activation: sigmoid}", "- batch_normalization: {}\n        - dense: {units: 1, activation: sigmoid}"),
          expected: ["17:11: error: layers[1] 'batch_normalization' mixes examples within a batch, which per-example clipping cannot bound; use layer_normalization (group_normalization for images) or no normalisation"]),
    .init(name: "several problems at once", yaml: mutate("- dense: {units: 8", "- dens: {units: 8").replacingOccurrences(of: "epochs: 2", with: "epochs: -3"),
          expected: ["16:11: error: unknown layer 'dens'. Did you mean 'dense'?",
                     "23:15: error: 'stages[3].train.epochs' must be between 1 and 1000000, found -3"]),
    .init(name: "negative learning rate", yaml: mutate("learning_rate: 0.01", "learning_rate: -0.01"),
          expected: ["19:41: error: 'stages[3].train.optimizer.adam.learning_rate' must be between 1e-12 and 1000, found -0.01"]),
    .init(name: "test fraction out of range", yaml: mutate("test_fraction: 0.2", "test_fraction: 1.5"),
          expected: ["13:28: error: 'stages[2].split.test_fraction' must be between 0.01 and 0.99, found 1.5"]),
    .init(name: "zero epochs", yaml: mutate("epochs: 2", "epochs: 0"),
          expected: ["23:15: error: 'stages[3].train.epochs' must be between 1 and 1000000, found 0"]),
    .init(name: "unknown key with suggestion", yaml: mutate("batch_size: 32", "batch_sise: 32"),
          expected: ["14:5: error: missing required key 'batch_size' in 'stages[3].train'",
                     "22:7: error: unknown key 'stages[3].train.batch_sise'. Did you mean 'batch_size'?"]),
    .init(name: "unknown stage", yaml: mutate("- select:", "- selekt:"),
          expected: ["12:5: error: unknown stage 'selekt'. Did you mean 'select'? Known stages: load, select, split, vocabulary, train, predict, evaluate, release, export."]),
    .init(name: "wrong type", yaml: mutate("batch_size: 32", "batch_size: many"),
          expected: ["22:19: error: 'stages[3].train.batch_size' must be an integer, found a string"]),
    .init(name: "both sigma and target", yaml: mutate("noise_multiplier: 1.1", "noise_multiplier: 1.1\n      target_epsilon: 2"),
          expected: ["22:23: error: give either 'noise_multiplier' or 'target_epsilon', not both"]),
    .init(name: "unknown label column", yaml: mutate("label: target}", "label: targt}"),
          expected: ["12:36: error: unknown label column 'targt'. Did you mean 'target'?"]),
    .init(name: "missing csv", yaml: mutate("csv: data/breast_cancer.csv", "csv: data/nope.csv"),
          expected: ["8:12: error: cannot read the CSV file: 'data/nope.csv' (resolved to \(Fixtures.pipelines)/data/nope.csv)"]),
    .init(name: "evaluate without epsilon", yaml: mutate("{metrics: [accuracy], epsilon: 0.2}", "{metrics: [accuracy]}"),
          expected: ["25:5: error: 'stages[5].evaluate' needs 'epsilon' (the ε charged for the released metrics), or 'mode: exact' (not private)"]),
    .init(name: "train before select", yaml: mutate("  - select: {features: all, label: target}\n", ""),
          expected: ["12:5: error: stage 'split' needs a selection; add a 'select' stage before it",
                     "13:5: error: stage 'train' needs a selection; add a 'select' stage before it"]),
    .init(name: "yaml syntax error", yaml: mutate("epochs: 2", "epochs: [2"),
          expected: ["24:12: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at 23:15)"]),
]

@Suite("Pipeline validation")
struct PipelineValidationTests {
    @Test("broken pipeline files give file:line:column diagnostics", arguments: brokenPipelines)
    func brokenPipeline(_ testCase: BrokenPipelineCase) throws {
        let file = "\(Fixtures.pipelines)/broken.yaml"
        var messages: [String] = []
        do {
            _ = try Pipeline.load(yaml: testCase.yaml, file: file, directory: Fixtures.pipelines,
                                  environment: TestEnvironment.make())
        } catch let error as PipelineError {
            guard case .invalidPipeline(let diagnostics) = error else {
                Issue.record("expected invalidPipeline, got \(error)")
                return
            }
            messages = diagnostics.map(\.description)
        }
        #expect(messages == testCase.expected.map { "\(file):\($0)" })
    }

    @Test("the valid fixture resolves, with facts for planning")
    func validFixture() throws {
        let pipeline = try Pipeline.load(yaml: Fixtures.validBreastCancer, file: "t.yaml", directory: Fixtures.pipelines,
                                         environment: TestEnvironment.make())
        #expect(pipeline.spec.stages.map(\.kind) == ["load", "select", "split", "train", "predict", "evaluate", "export"])
        #expect(pipeline.facts.features?.count == 30)
        #expect(pipeline.facts.featureWidth == 30)
        #expect(pipeline.facts.csvShape?.records == 569)
    }

    @Test("did-you-mean uses the core edit-distance suggestions and refuses far names")
    func suggestions() {
        #expect(NameSuggestion.didYouMean("dens", in: ["dense", "dropout"]) == " Did you mean 'dense'?")
        #expect(NameSuggestion.didYouMean("adamw", in: ["adam", "sgd"]) == " Did you mean 'adam'?")
        #expect(NameSuggestion.didYouMean("batch_sise", in: Set(["batch_size", "epochs"])) == " Did you mean 'batch_size'?")
        #expect(NameSuggestion.didYouMean("convolution", in: ["dense", "dropout"]) == "")
        #expect(NameSuggestion.didYouMean("x", in: [String]()) == "")
    }
}
