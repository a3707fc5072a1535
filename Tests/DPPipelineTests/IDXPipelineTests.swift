import Foundation
import Testing
@testable import DPPipeline

/// A pipeline that loads MNIST-format IDX files (images and labels) and trains a small CNN end to end.
@Suite struct IDXPipelineTests {
    /// `count` 4×4 one-channel images whose bright half (left or right) is the label, as IDX bytes.
    static func files(count: Int) -> (images: [UInt8], labels: [UInt8]) {
        var images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, UInt8(count), 0, 0, 0, 4, 0, 0, 0, 4]
        var labels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, UInt8(count)]
        for i in 0..<count {
            let label = UInt8(i % 2)
            labels.append(label)
            for _ in 0..<4 { for x in 0..<4 { images.append((x < 2) == (label == 0) ? 200 : UInt8(10 + i % 7)) } }
        }
        return (images, labels)
    }

    static func yaml(images: String, labels: String) -> String {
        """
        name: idx_cnn
        privacy:
          dataset: tiny-idx
          budget: {epsilon: 20.0, delta: 1e-5}
          public_size: 120
        stages:
          - load:
              idx: {images: \(images), labels: \(labels), label_column: label}
              schema:
                image: {columns: "pixel_*", shape: [4, 4, 1], min: 0, max: 255}
                label: {type: category, values: [left, right]}
          - select: {features: all, label: label}
          - split: {test_fraction: 0.25, seed: 0}
          - train:
              model:
                - reshape: {target_shape: [4, 4, 1]}
                - conv2d: {filters: 2, kernel_size: 2, activation: tanh}
                - global_average_pooling2d: {}
                - dense: {units: 2, activation: softmax}
              loss: sparse_categorical_crossentropy
              optimizer: {adam: {learning_rate: 0.05}}
              l2_norm_clip: 1.0
              noise_multiplier: 1.0
              batch_size: 30
              epochs: 2
          - predict: {label_columns: [predicted]}
          - evaluate: {metrics: [accuracy], mode: exact}
        """
    }

    @Test func idxPipelineValidatesAndRuns() throws {
        let dir = Fixtures.temporaryDirectory()
        let (images, labels) = Self.files(count: 120)
        try Data(images).write(to: URL(fileURLWithPath: dir + "/images.idx"))
        try Data(labels).write(to: URL(fileURLWithPath: dir + "/labels.idx"))
        let file = dir + "/idx.yaml"
        try Self.yaml(images: "images.idx", labels: "labels.idx").write(toFile: file, atomically: true, encoding: .utf8)
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let report = try runner.run(file: file, options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/ledger.sqlite", seed: 3))
        #expect(report.status == "completed")
        #expect(report.metrics["accuracy"] != nil)
    }

    @Test func idxShapeMismatchIsAValidationError() throws {
        let dir = Fixtures.temporaryDirectory()
        let (images, labels) = Self.files(count: 120)
        try Data(images).write(to: URL(fileURLWithPath: dir + "/images.idx"))
        try Data(labels).write(to: URL(fileURLWithPath: dir + "/labels.idx"))
        let file = dir + "/idx.yaml"
        try Self.yaml(images: "images.idx", labels: "labels.idx").replacingOccurrences(of: "shape: [4, 4, 1]", with: "shape: [2, 8, 1]")
            .write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { _ = try Pipeline.load(file: file, environment: TestEnvironment.make()) }
    }
}
