import Foundation

/// Paths into the repository for tests (tests use the repo's copies of data, never /work/shared).
enum Fixtures {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static var pipelines: String { repositoryRoot + "/pipelines" }
    static var data: String { pipelines + "/data" }

    /// A fresh temporary folder.
    static func temporaryDirectory(_ name: String = "dpflow-test") -> String {
        let path = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A valid pipeline on the breast-cancer data, with `{{…}}` slots tests replace.
    static let validBreastCancer = """
    name: test
    privacy:
      dataset: test-bc
      budget: {epsilon: 10.0, delta: 1e-4}
      public_size: 569
    stages:
      - load:
          csv: data/breast_cancer.csv
          schema:
            default: {type: number, min: 0, max: 4300}
            target: {type: category, values: [0, 1]}
      - select: {features: all, label: target}
      - split: {test_fraction: 0.2, seed: 0}
      - train:
          model:
            - dense: {units: 8, activation: relu}
            - dense: {units: 1, activation: sigmoid}
          loss: binary_crossentropy
          optimizer: {adam: {learning_rate: 0.01}}
          l2_norm_clip: 1.0
          noise_multiplier: 1.1
          batch_size: 32
          epochs: 2
      - predict: {label_columns: [predicted]}
      - evaluate: {metrics: [accuracy], epsilon: 0.2}
      - export: {model: model}
    """
}
