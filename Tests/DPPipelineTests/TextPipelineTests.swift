import Foundation
import Testing
@testable import DPPipeline

/// Text columns in pipelines: the schema keys, the `vocabulary` stage (file, hash, dp, exact), its cost in the plan,
/// the run, and the classification metrics `f1` and `auc`.
@Suite("Text pipelines")
struct TextPipelineTests {
    /// A folder with the first `rows` snippets of the shipped imbalanced reviews (shuffled, both classes) as `d.csv`.
    static func folder(rows: Int = 300) throws -> String {
        let dir = Fixtures.temporaryDirectory("text-pipeline")
        let lines = try String(contentsOfFile: Fixtures.data + "/movie_reviews_imbalanced.csv", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        try (lines.prefix(rows + 1).joined(separator: "\n") + "\n").write(toFile: dir + "/d.csv", atomically: true, encoding: .utf8)
        return dir
    }

    static let pipeline = """
    name: text-test
    privacy:
      dataset: text-test
      budget: {epsilon: 10.0, delta: 1e-5}
      public_size: 300
      delta: 5e-6
    stages:
      - load:
          csv: d.csv
          schema:
            review: {type: text, max_length: 16}
            label: {type: category, values: [fresh, rotten]}
      - select: {features: [review], label: label}
      - split: {test_fraction: 0.3, seed: 0}
      - vocabulary: {column: review, dp: {size: 50, epsilon: 1.0, delta: 1e-6, max_tokens_per_document: 4}}
      - train:
          model:
            - embedding: {input_dim: 52, output_dim: 4}
            - global_average_pooling1d: {}
            - dense: {units: 1, activation: sigmoid}
          loss: binary_crossentropy
          optimizer: {adam: {learning_rate: 0.05}}
          l2_norm_clip: 1.0
          noise_multiplier: 1.0
          batch_size: 32
          epochs: 2
      - predict: {label_columns: [predicted]}
      - evaluate: {metrics: [accuracy, f1, auc], epsilon: 0.3}
    """

    static func diagnostics(_ yaml: String, directory: String) -> [String] {
        do {
            _ = try Pipeline.load(yaml: yaml, file: "t.yaml", directory: directory, environment: TestEnvironment.make())
            return []
        } catch let error as PipelineError {
            guard case .invalidPipeline(let d) = error else { return ["\(error)"] }
            return d.map { "\($0.position.line):\($0.position.column): \($0.message)" }
        } catch { return ["\(error)"] }
    }

    @Test func theDPVocabularyIsItsOwnChargedLineOfThePlan() throws {
        let dir = try Self.folder()
        let p = try Pipeline.load(yaml: Self.pipeline, file: "t.yaml", directory: dir, environment: TestEnvironment.make())
        let plan = try p.plan(datasetID: { _ in "x" })
        let vocabulary = try #require(plan.stages.first { $0.kind == "vocabulary" })
        #expect(vocabulary.cost.epsilon == 1.0 && vocabulary.cost.delta == 1e-6)
        #expect(vocabulary.cost.detail.contains("threshold") && vocabulary.cost.detail.contains("k = 4"))
        let train = try #require(plan.stages.first { $0.kind == "train" })
        #expect(abs(plan.totalEpsilon - (1.0 + train.cost.epsilon + 0.3)) < 1e-12)
        #expect(abs(plan.totalDelta - (1e-6 + 5e-6)) < 1e-18)
        let evaluate = try #require(plan.stages.first { $0.kind == "evaluate" })
        #expect(evaluate.cost.detail.contains("20 bins per class"))
        // Hashing costs nothing and says so.
        let hashed = Self.pipeline.replacingOccurrences(of: "dp: {size: 50, epsilon: 1.0, delta: 1e-6, max_tokens_per_document: 4}", with: "hash: 50")
        let free = try Pipeline.load(yaml: hashed, file: "t.yaml", directory: dir, environment: TestEnvironment.make()).plan(datasetID: { _ in "x" })
        #expect(free.stages.first { $0.kind == "vocabulary" }?.cost.epsilon == 0)
        #expect(abs(plan.totalEpsilon - free.totalEpsilon - 1.0) < 1e-12)
    }

    @Test func aSeededRunReleasesTheVocabularyAndTheMetrics() throws {
        let dir = try Self.folder()
        try Self.pipeline.write(toFile: dir + "/t.yaml", atomically: true, encoding: .utf8)
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let out = dir + "/out"
        let report = try runner.run(file: dir + "/t.yaml", options: RunOptions(outputDirectory: out, ledgerPath: dir + "/l.sqlite", seed: 3))
        let (_, plan) = try runner.plan(file: dir + "/t.yaml")
        #expect(report.status == "completed")
        #expect(report.stages.map(\.name) == plan.stages.map(\.kind))
        let tokens = try #require(report.metrics["vocabulary(review).tokens"])
        let file = try String(contentsOfFile: out + "/vocabulary_review.txt", encoding: .utf8)
        #expect(file.split(separator: "\n").count == Int(tokens.value))
        #expect(report.metrics["accuracy"] != nil)
        #expect(report.metrics["f1[rotten]"] != nil || report.metrics["precision[fresh]"] != nil)
        #expect(report.metrics["confusion_matrix[true=rotten,predicted=rotten]"] != nil)
        let auc = try #require(report.metrics["auc"])
        #expect(auc.value >= 0 && auc.value <= 1 && auc.noiseScale > 0 && abs(auc.epsilon - 0.1) < 1e-9)
        let snapshot = try #require(try runner.ledgerSnapshot(path: dir + "/l.sqlite", dataset: plan.dataset))
        #expect(abs(snapshot.usedEpsilon - plan.totalEpsilon) < 1e-9)
        // The report never holds the private tokens' counts: only the number selected, its mechanism and noise.
        let json = try String(contentsOfFile: out + "/report.json", encoding: .utf8)
        #expect(json.contains("threshold"))
    }

    @Test func theNotPrivateComparisonIsLabelledAndCostsNothing() throws {
        let dir = try Self.folder()
        let yaml = Self.pipeline
            .replacingOccurrences(of: "dp: {size: 50, epsilon: 1.0, delta: 1e-6, max_tokens_per_document: 4}", with: "exact: {size: 50}")
            .replacingOccurrences(of: "noise_multiplier: 1.0", with: "mode: not_private")
            .replacingOccurrences(of: "epsilon: 0.3}", with: "mode: exact}")
        try yaml.write(toFile: dir + "/t.yaml", atomically: true, encoding: .utf8)
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let (_, plan) = try runner.plan(file: dir + "/t.yaml")
        #expect(plan.totalEpsilon == 0)
        #expect(plan.stages.contains { $0.cost.detail.contains("NOT PRIVATE") && $0.kind == "train" })
        let report = try runner.run(file: dir + "/t.yaml", options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/l.sqlite"))
        #expect(report.privacy.private == false)
        #expect(report.privacy.notPrivateReasons.contains { $0.contains("not_private") })
        #expect(report.privacy.notPrivateReasons.contains { $0.contains("vocabulary uses exact") })
        let auc = try #require(report.metrics["auc"])
        #expect(auc.noiseScale == 0 && !auc.private)
        #expect(report.training?.epochs.count == 2)
    }

    @Test func problemsAreReportedWithPositionsBeforeAnyReservation() throws {
        let dir = try Self.folder(rows: 20)
        let base = Self.pipeline
        func with(_ old: String, _ new: String) -> String {
            precondition(base.contains(old), old)
            return base.replacingOccurrences(of: old, with: new)
        }
        let vocab = "  - vocabulary: {column: review, dp: {size: 50, epsilon: 1.0, delta: 1e-6, max_tokens_per_document: 4}}\n"
        let cases: [(String, String)] = [
            (with(vocab, ""), "needs a 'vocabulary' stage before 'train'"),
            (with("epsilon: 1.0, delta: 1e-6", "epsilon: 0, delta: 1e-6"), "15:58: 'stages[3].vocabulary.dp.epsilon' must be in (0, 100]"),
            (with("{column: review, dp:", "{column: review, hash: 8, dp:"), "needs exactly one of file, hash, dp or exact"),
            (with("review: {type: text, max_length: 16}", "review: {type: text}"), "missing required key 'max_length'"),
            (with("label: {type: category, values: [fresh, rotten]}", "label: {type: category, values: [fresh, rotten], max_length: 3}"),
             "unknown key"),
            (with("column: review, dp", "column: label, dp"), "must be declared in the schema with type: text"),
            (with("metrics: [accuracy, f1, auc]", "metrics: [accuracy, aucc]"), "unknown metric 'aucc'"),
        ]
        for (yaml, expected) in cases {
            let found = Self.diagnostics(yaml, directory: dir)
            #expect(found.contains { $0.contains(expected) }, "expected '\(expected)' in \(found)")
        }
        // A public vocabulary file with a repeated line: the error names the file and line.
        try "good\nbad\ngood\n".write(toFile: dir + "/v.txt", atomically: true, encoding: .utf8)
        let found = Self.diagnostics(with("dp: {size: 50, epsilon: 1.0, delta: 1e-6, max_tokens_per_document: 4}", "file: v.txt"), directory: dir)
        #expect(found.contains { $0.contains("v.txt:3") && $0.contains("repeats the token of line 1") }, "\(found)")
    }
}
