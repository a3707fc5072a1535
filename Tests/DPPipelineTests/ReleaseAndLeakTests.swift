import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import DPPipeline

@Suite("Releases and data hygiene")
struct ReleaseAndLeakTests {
    /// A small CSV whose cells hold a sentinel that must never appear in any output, and a pipeline over it
    /// with every release kind, training and exact evaluation.
    static func fixture() throws -> (dir: String, file: String) {
        let dir = Fixtures.temporaryDirectory()
        var rows = ["x,y,color,label"]
        for i in 0..<200 {
            let x = i == 17 ? "7.7123456" : String(format: "%.3f", Double(i % 10) / 2)
            rows.append("\(x),\(Double(i % 7)),\(["red", "green", "blue"][i % 3]),\(i % 2)")
        }
        try rows.joined(separator: "\n").write(toFile: dir + "/data.csv", atomically: true, encoding: .utf8)
        let yaml = """
        name: releases
        privacy:
          dataset: releases-test
          budget: {epsilon: 100, delta: 1e-4}
          public_size: 200
        stages:
          - load:
              csv: data.csv
              schema:
                x: {type: number, min: 0, max: 10}
                y: {type: number, min: 0, max: 10}
                color: {type: category, values: [red, green, blue]}
                label: {type: category, values: [0, 1]}
          - release: {statistic: count, epsilon: 0.5}
          - release: {statistic: mean, column: x, epsilon: 0.5}
          - release: {statistic: histogram, column: color, epsilon: 0.5, name: colors}
          - select: {features: [x, y, color], label: label}
          - split: {test_fraction: 0.25, seed: 3}
          - train:
              model:
                - dense: {units: 4, activation: relu}
                - dense: {units: 1, activation: sigmoid}
              loss: binary_crossentropy
              optimizer: adam
              l2_norm_clip: 1.0
              noise_multiplier: 1.0
              batch_size: 20
              epochs: 2
          - predict: {}
          - evaluate: {metrics: [accuracy], epsilon: 1.0}
          - export: {model: m}
        """
        try yaml.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        return (dir, dir + "/p.yaml")
    }

    @Test("count, mean and histogram releases are reported with their noise scales and charged")
    func releases() throws {
        let (dir, file) = try Self.fixture()
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let report = try runner.run(file: file, options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/l.sqlite"))
        #expect(report.privacy.private)
        // Counts and histogram bins (sensitivity 1) use PrivateDataFrame's exact discrete Laplace mechanism on the
        // grid of 1, P(k) ∝ e^(−ε|k|): its standard deviation is √(2q)/(1 − q) with q = e^(−ε), here ε = 0.5
        // (ε rounded down to 20 significant bits, so relative 1e-5).
        let q = exp(-0.5), discreteStd = (2 * q).squareRoot() / (1 - q)
        let count = try #require(report.metrics["count"])
        #expect(abs(count.noiseScale / discreteStd - 1) < 1e-5)
        #expect(count.granularity == 1 && count.value == count.value.rounded())
        #expect(count.mechanism.contains("discrete laplace") && count.epsilon == 0.5)
        let ci = try #require(count.confidenceInterval)
        #expect(ci.count == 2 && ci[0] < count.value && count.value < ci[1])
        #expect(abs((count.value - ci[0]) - (ci[1] - count.value)) < 1e-9)
        #expect(abs((report.metrics["colors[red]"]?.noiseScale ?? 0) / discreteStd - 1) < 1e-5)
        #expect(report.metrics["colors[green]"] != nil && report.metrics["colors[blue]"] != nil)
        #expect(report.metrics["mean_x"]?.granularity == 0x1p-17)     // bounds [0, 10]: 2^(3 − 20)
        let (_, plan) = try runner.plan(file: file)
        // Accuracy is a bounded mean: correct count centred at n/2 (sensitivity 1/2, Laplace b = 0.5/(ε/2) = 1,
        // std √2) over a noisy count (ε/2). The delta-method std is at least √2 / (noisy count), and the noisy
        // count exceeds n_test + 40 (20 Laplace scales b = 2) with probability below e^−20 / 2.
        let accuracy = try #require(report.metrics["accuracy"])
        #expect(accuracy.noiseScale >= 2.0.squareRoot() / Double((plan.testRecords ?? 0) + 40))
        #expect(accuracy.epsilon == 1 && accuracy.value >= 0 && accuracy.value <= 1)
        let aci = try #require(accuracy.confidenceInterval)
        #expect(aci[0] <= accuracy.value && accuracy.value <= aci[1] && aci[0] >= 0 && aci[1] <= 1)
        #expect(report.stages.filter { $0.name == "release" }.map(\.epsilon) == [0.5, 0.5, 0.5])
        #expect(abs(report.privacy.epsilon - plan.totalEpsilon) < 1e-12)
        // The mean of x (true value 2.25 apart from the sentinel row) stays within the declared bounds.
        let mean = try #require(report.metrics["mean_x"]?.value)
        #expect(mean >= 0 && mean <= 10)
    }

    @Test("no cell value appears in the report, the log, the status or the exported model's name")
    func noRawValues() throws {
        let (dir, file) = try Self.fixture()
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        _ = try runner.run(file: file, options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/l.sqlite"))
        for name in ["report.json", "report.html", "log.txt", "status.json"] {
            let text = try String(contentsOfFile: dir + "/out/" + name, encoding: .utf8)
            #expect(!text.contains("7.7123456"), "sentinel in \(name)")
            // Seven significant digits: a leak through Float storage would still show them; random numbers in the
            // report (timings, noisy values, losses) match a 7-digit string with negligible probability.
            #expect(!text.contains("7.712345"), "sentinel prefix in \(name)")
        }
        #if canImport(FoundationXML) || canImport(Darwin)
        _ = try XMLDocument(xmlString: try String(contentsOfFile: dir + "/out/report.html", encoding: .utf8), options: [])
        #endif
    }
}

@Suite("Release granularity in pipelines")
struct ReleaseGranularityTests {
    static func pipeline(granularity: String) throws -> (dir: String, file: String) {
        let dir = Fixtures.temporaryDirectory()
        var rows = ["x"]
        for i in 0..<40 { rows.append(String(format: "%.3f", Double(i % 9) / 3)) }
        try rows.joined(separator: "\n").write(toFile: dir + "/d.csv", atomically: true, encoding: .utf8)
        let yaml = """
        name: grid
        privacy:
          dataset: grid-test
          budget: {epsilon: 10, delta: 0}
        stages:
          - load:
              csv: d.csv
              schema:
                x: {type: number, min: 0, max: 3}
          - release: {statistic: sum, column: x, epsilon: 1, granularity: \(granularity)}
        """
        try yaml.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        return (dir, dir + "/p.yaml")
    }

    @Test("a declared granularity reaches the release and the report; the value is a multiple of it")
    func declared() throws {
        let (dir, file) = try Self.pipeline(granularity: "0.25")
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let report = try runner.run(file: file, options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/l.sqlite"))
        let sum = try #require(report.metrics["sum_x"])
        #expect(sum.granularity == 0.25)
        #expect((sum.value / 0.25).rounded() == sum.value / 0.25)
        #expect(sum.mechanism.contains("discrete laplace") && sum.mechanism.contains("sum sensitivity 12 grid units"))
        let json = try String(contentsOfFile: dir + "/out/report.json", encoding: .utf8)
        #expect(json.contains("\"granularity\""))
    }

    @Test("a granularity that is not a power of two is a pipeline error")
    func notAPowerOfTwo() throws {
        let (_, file) = try Self.pipeline(granularity: "0.3")
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        #expect(throws: PipelineError.self) { try runner.plan(file: file) }
    }
}
