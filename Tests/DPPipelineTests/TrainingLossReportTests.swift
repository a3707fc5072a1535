import Foundation
import Testing
@testable import DPPipeline

/// In a private run the training loss that reaches the report is the DP estimate released with
/// each DP-SGD step (never the exact mean over private data), and the report says so.
@Suite("Training loss in reports")
struct TrainingLossReportTests {
    @Test("a private run reports a DP estimate of the loss with its noise std, labelled as such")
    func privateRunReportsDPEstimate() throws {
        let dir = Fixtures.temporaryDirectory()
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let options = RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/ledger.sqlite", seed: 3, epochsOverride: 2)
        let report = try runner.run(file: Fixtures.pipelines + "/quickstart.yaml", options: options)
        let training = try #require(report.training)
        #expect(training.loss?.kind == "dp_estimate")
        #expect(training.loss?.clip != nil)
        // σ_g = σ·sqrt(1 + 1/k²) > σ: the loss query shares the declared σ with the gradient.
        #expect((training.loss?.gradientNoiseMultiplier ?? 0) > training.noiseMultiplier)
        #expect(training.epochs.count == 2)
        #expect(training.epochs.allSatisfy { $0.lossNoiseStd > 0 })
        let html = try String(contentsOfFile: dir + "/out/report.html", encoding: .utf8)
        #expect(html.contains("DP estimate of the training loss"))
        let json = try String(contentsOfFile: dir + "/out/report.json", encoding: .utf8)
        #expect(json.contains("\"loss_noise_std\""))
        #expect(json.contains("\"dp_estimate\""))
    }
}
