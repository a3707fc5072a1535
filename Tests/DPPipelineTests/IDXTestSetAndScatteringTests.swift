import Foundation
import Testing
@testable import DPPipeline

/// A load with a separate IDX test set (`idx.test_images`/`test_labels`) and the scattering feature map
/// (`features: {scattering: …}`): validation of hostile declarations and a tiny end-to-end run.
@Suite struct IDXTestSetAndScatteringTests {
    /// Writes training images (bright half = label) and test images whose labels are the OPPOSITE of that rule,
    /// so that a model that learnt the training rule scores low on the test set and high on a split of training.
    static func writeFiles(_ dir: String, testShape: [UInt8] = [0, 0, 0, 4, 0, 0, 0, 4]) throws {
        let (images, labels) = IDXPipelineTests.files(count: 120)
        try Data(images).write(to: URL(fileURLWithPath: dir + "/images.idx"))
        try Data(labels).write(to: URL(fileURLWithPath: dir + "/labels.idx"))
        let (testImages, testLabels) = IDXPipelineTests.files(count: 40)
        let inverted = Array(testLabels[0..<8]) + testLabels[8...].map { 1 - $0 }
        try Data(Array(testImages[0..<8]) + testShape + testImages[16...]).write(to: URL(fileURLWithPath: dir + "/test-images.idx"))
        try Data(inverted).write(to: URL(fileURLWithPath: dir + "/test-labels.idx"))
    }

    static func yaml(idxExtra: String = "test_images: test-images.idx, test_labels: test-labels.idx",
                     features: String = "features: {scattering: {J: 1, L: 2}}", split: String = "") -> String {
        """
        name: idx_scatter
        privacy:
          dataset: tiny-idx
          budget: {epsilon: 20000.0, delta: 1e-5}   # a data-flow test: σ is tiny on purpose
          public_size: 120
        stages:
          - load:
              idx: {images: images.idx, labels: labels.idx, label_column: label, \(idxExtra)}
              \(features)
              schema:
                image: {columns: "pixel_*", shape: [4, 4, 1], min: 0, max: 255}
                label: {type: category, values: [left, right]}
          - select: {features: all, label: label}
          \(split)
          - train:
              model:
                - reshape: {target_shape: [2, 2, 3]}
                - group_normalization: {groups: 3, epsilon: 1e-5}
                - flatten: {}
                - dense: {units: 2, activation: softmax}
              loss: sparse_categorical_crossentropy
              optimizer: {adam: {learning_rate: 0.1}}
              l2_norm_clip: 1.0
              noise_multiplier: 0.05
              batch_size: 40
              epochs: 15
          - predict: {label_columns: [predicted]}
          - evaluate: {metrics: [accuracy], mode: exact}
        """
    }

    static func write(_ text: String, _ dir: String) throws -> String {
        let file = dir + "/p.yaml"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// The model (on 2×2×3 scattering features) learns the training rule; the declared test set, whose labels
    /// are inverted, is what is evaluated: its accuracy is low, while a split of the training data scores high.
    @Test func scatteringFeaturesTrainAndTheDeclaredTestSetIsEvaluated() throws {
        let dir = Fixtures.temporaryDirectory()
        try Self.writeFiles(dir)
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let report = try runner.run(file: try Self.write(Self.yaml(), dir),
                                    options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/ledger.sqlite", seed: 3))
        #expect(report.status == "completed")
        let accuracy = try #require(report.metrics["accuracy"]?.value)
        #expect(accuracy < 0.2, "accuracy on the inverted test set: \(accuracy)")
        let log = try String(contentsOfFile: dir + "/out/log.txt", encoding: .utf8)
        #expect(log.contains("scattering transform"))

        let splitDir = Fixtures.temporaryDirectory()
        try Self.writeFiles(splitDir)
        let splitReport = try runner.run(file: try Self.write(Self.yaml(idxExtra: "", split: "- split: {test_fraction: 0.25, seed: 0}"), splitDir),
                                         options: RunOptions(outputDirectory: splitDir + "/out", ledgerPath: splitDir + "/ledger.sqlite", seed: 3))
        let splitAccuracy = try #require(splitReport.metrics["accuracy"]?.value)
        #expect(splitAccuracy > 0.8, "accuracy on a split of the training data: \(splitAccuracy)")
    }

    static let invalid: [(String, String)] = [
        ("split with a declared test set", yaml(split: "- split: {test_fraction: 0.25, seed: 0}")),
        ("test labels without test images", yaml(idxExtra: "test_labels: test-labels.idx")),
        ("test images without test labels", yaml(idxExtra: "test_images: test-images.idx")),
        ("test images of another shape", yaml(idxExtra: "test_images: wide.idx, test_labels: labels.idx")),
        ("scattering J out of range", yaml(features: "features: {scattering: {J: 9, L: 2}}")),
        ("scattering L out of range", yaml(features: "features: {scattering: {J: 1, L: 0}}")),
        ("unknown feature map", yaml(features: "features: {wavelets: {}}")),
        ("model width not the scattering width", yaml(features: "features: {scattering: {J: 1, L: 3}}")),
    ]

    @Test(arguments: invalid.map(\.0))
    func invalidDeclarationsAreValidationErrors(_ name: String) throws {
        let dir = Fixtures.temporaryDirectory()
        try Self.writeFiles(dir)
        // A 2×8 image file: the per-image shape differs from the declared 4×4.
        let (images, _) = IDXPipelineTests.files(count: 120)
        try Data(Array(images[0..<8]) + [0, 0, 0, 2, 0, 0, 0, 8] + images[16...]).write(to: URL(fileURLWithPath: dir + "/wide.idx"))
        let text = try #require(Self.invalid.first { $0.0 == name }?.1)
        let file = try Self.write(text, dir)
        #expect(throws: (any Error).self, "\(name)") {
            let pipeline = try Pipeline.load(file: file, environment: TestEnvironment.make())
            _ = try pipeline.plan(datasetID: { _ in "test" })
        }
    }

    /// The valid declaration loads, and its resolved feature width is the scattering output (2×2×3 = 12).
    @Test func validDeclarationResolvesTheScatteringWidth() throws {
        let dir = Fixtures.temporaryDirectory()
        try Self.writeFiles(dir)
        let pipeline = try Pipeline.load(file: try Self.write(Self.yaml(), dir), environment: TestEnvironment.make())
        #expect(pipeline.facts.featureWidth == 12)
        #expect(pipeline.facts.declaredTestSet)
    }
}
