import Foundation
import PrivacyAccounting
import Testing
@testable import DPPipeline

/// `train.tune`: a private hyperparameter search, accounted as a whole (Papernot & Steinke 2022) and reserved
/// before it starts; only the best trial is released. And `train.recipe`.
@Suite("Private hyperparameter search and recipes in pipelines")
struct TuneSearchTests {
    /// quickstart.yaml with its train stage's epochs replaced by `trainTail` (YAML lines at the train keys' indent).
    static func pipeline(_ dir: String, trainTail: String) throws -> String {
        var text = try String(contentsOfFile: Fixtures.pipelines + "/quickstart.yaml", encoding: .utf8)
        text = text.replacingOccurrences(of: "csv: data/breast_cancer.csv", with: "csv: \(Fixtures.data)/breast_cancer.csv")
        text = text.replacingOccurrences(of: "      epochs: 30\n", with: trainTail)
        let file = dir + "/pipeline.yaml"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    static let tuneTail = """
              epochs: 2
              tune:
                trials: {distribution: geometric, mean: 3}
                validation_fraction: 0.2
                score_noise: 8
                learning_rate: {log_range: [0.003, 0.05]}
                batch_size: [32, 64]
                epochs: [1, 2]

        """

    @Test("plan: the search's ε is the Papernot–Steinke bound of the worst trial, calibrated to target_epsilon")
    func planAccountsTheSearch() throws {
        let dir = Fixtures.temporaryDirectory()
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let (pipeline, plan) = try runner.plan(file: try Self.pipeline(dir, trainTail: Self.tuneTail))
        let index = try #require(pipeline.spec.stages.firstIndex { $0 is TrainStage })
        let cost = plan.stages[index].cost
        let training = try #require(cost.training)
        // target_epsilon 3 is the whole search's ε; σ is the smallest meeting it.
        #expect(cost.epsilon <= 3 && cost.epsilon > 2.99)
        #expect(cost.detail.contains("whole search ε"))
        #expect(cost.detail.contains("one DP-SGD run ε"))
        // Independent recomputation: training part 455 (569 − 114), fitting part 455 − 91 = 364.
        #expect(training.examples == 364)
        let orders = RDPAccountant.defaultOrders
        var curves: [[Double]] = []
        for (b, e) in [(32, 1), (32, 2), (64, 1), (64, 2)] {
            let steps = e * ((364 + b - 1) / b)
            curves.append(RDPAccountant.subsampledGaussianCurve(samplingRate: Double(b) / 364, noiseMultiplier: training.noiseMultiplier,
                                                                orders: orders).map { $0 * Double(steps) })
        }
        let trial = zip(RepeatAndSelectRDP.worstCase(of: curves), orders).map { $0 + $1 / 128 }
        let expected = try RepeatAndSelectRDP.epsilon(trialCurve: trial, orders: orders,
                                                      distribution: .truncatedNegativeBinomial(shape: 1, gamma: 1.0 / 3), delta: 1e-5)
        #expect(abs(expected.epsilon - cost.epsilon) < 1e-6 * cost.epsilon)
        // The search costs more than one run of the same σ.
        let single = try DPSGDRun(examples: 364, batchSize: 32, epochs: 2).epsilon(noiseMultiplier: training.noiseMultiplier, delta: 1e-5)
        #expect(single < cost.epsilon)
    }

    @Test("run: the ledger is charged the planned search, the report names K's distribution but not K, one model is released")
    func runReleasesTheBest() throws {
        let dir = Fixtures.temporaryDirectory()
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let file = try Self.pipeline(dir, trainTail: Self.tuneTail)
        let (_, plan) = try runner.plan(file: file)
        let options = RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/ledger.sqlite", seed: 5)
        let report = try runner.run(file: file, options: options)
        let search = try #require(report.training?.search)
        #expect(search.trialDistribution.contains("geometric"))
        #expect(abs(search.meanTrials - 3) < 1e-9)
        #expect([32, 64].contains(search.best.batchSize) && [1, 2].contains(search.best.epochs))
        let lr = try #require(search.best.learningRate)
        #expect(lr >= 0.003 && lr <= 0.05)
        #expect(abs(report.privacy.epsilon - plan.totalEpsilon) < 1e-12)
        #expect(abs((report.privacy.ledgerSpentEpsilon ?? 0) - plan.totalEpsilon) < 1e-6)
        #expect(report.metrics["accuracy"] != nil)
        let log = try String(contentsOfFile: dir + "/out/log.txt", encoding: .utf8)
        #expect(log.contains("the realised K is not released"))
        #expect(!log.lowercased().contains("trial 1"))
        let html = try String(contentsOfFile: dir + "/out/report.html", encoding: .utf8)
        #expect(html.contains("hyperparameter search"))
        let json = try String(contentsOfFile: dir + "/out/report.json", encoding: .utf8)
        #expect(json.contains("\"trial_distribution\""))
    }

    @Test("invalid tune blocks are refused before any data is read")
    func invalidTune() throws {
        let dir = Fixtures.temporaryDirectory()
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        for bad in ["        tune: {trials: {distribution: geometric}}\n",
                    "        tune: {trials: {distribution: poisson, mean: 3, gamma: 0.5}}\n",
                    "        tune: {trials: {distribution: uniform, mean: 3}}\n",
                    "        tune: {trials: {distribution: geometric, mean: 3}, learning_rate: {log_range: [0.1, 0.01]}}\n",
                    "        tune: {trials: {distribution: geometric, mean: 3}, batch_size: [100000]}\n",
                    "        tune: {trials: {distribution: geometric, mean: 3}, typo: 1}\n"] {
            let file = try Self.pipeline(dir, trainTail: "      epochs: 2\n" + String(bad.dropFirst(2)))
            #expect(throws: PipelineError.self, "\(bad)") { _ = try runner.plan(file: file) }
        }
    }

    @Test("recipe: dp_defaults trains with EMA and a schedule at the same ε")
    func recipeCostsNothing() throws {
        let dir = Fixtures.temporaryDirectory()
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let plain = try runner.plan(file: try Self.pipeline(dir, trainTail: "      epochs: 2\n")).1
        let file = try Self.pipeline(dir, trainTail: "      epochs: 2\n      recipe: dp_defaults\n")
        let withRecipe = try runner.plan(file: file).1
        #expect(plain.totalEpsilon == withRecipe.totalEpsilon)
        let report = try runner.run(file: file, options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/ledger.sqlite", seed: 2))
        #expect(report.training?.steps == plain.training?.steps)
        let log = try String(contentsOfFile: dir + "/out/log.txt", encoding: .utf8)
        #expect(log.contains("averaged parameters are evaluated and exported"))
        let bad = try Self.pipeline(dir, trainTail: "      epochs: 2\n      lr_schedule: linear\n")
        #expect(throws: PipelineError.self) { _ = try runner.plan(file: bad) }
    }
}
