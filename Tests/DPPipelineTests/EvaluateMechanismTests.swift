import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import DPPipeline
import PrivateDataFrame

/// `evaluate` with a declared δ uses the discrete Gaussian mechanism with (ε, δ) split across its metrics; without
/// one, discrete Laplace. The report (json and html) shows each release's grid.
@Suite("Evaluate mechanism")
struct EvaluateMechanismTests {
    /// A regression pipeline (label y in [0, 10]) evaluating MSE and MAE with the given evaluate keys.
    static func regression(evaluate: String) throws -> (dir: String, file: String) {
        let dir = Fixtures.temporaryDirectory()
        var rows = ["a,b,y"]
        for i in 0..<240 {
            let a = Double(i % 10), b = Double((i * 7) % 11) / 2
            rows.append("\(a),\(b),\(min(10, a * 0.8 + b * 0.3))")
        }
        try rows.joined(separator: "\n").write(toFile: dir + "/d.csv", atomically: true, encoding: .utf8)
        let yaml = """
        name: evaluate-mechanism
        privacy:
          dataset: evaluate-mechanism-test
          budget: {epsilon: 20, delta: 1e-4}
          public_size: 240
        stages:
          - load:
              csv: d.csv
              schema:
                a: {type: number, min: 0, max: 10}
                b: {type: number, min: 0, max: 10}
                y: {type: number, min: 0, max: 10}
          - release: {statistic: sum, column: a, epsilon: 1, granularity: 0.25}
          - select: {features: [a, b], label: y}
          - split: {test_fraction: 0.5, seed: 1}
          - train:
              model:
                - dense: {units: 1}
              loss: mean_squared_error
              optimizer: {adam: {learning_rate: 0.05}}
              l2_norm_clip: 1.0
              noise_multiplier: 1.0
              batch_size: 30
              epochs: 2
          - predict: {}
          - evaluate: \(evaluate)
        """
        try yaml.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        return (dir, dir + "/p.yaml")
    }

    /// δ of a ρ-zCDP mechanism at ε by CKS 2020's conversion, inf over α > 1 of
    /// exp((α−1)(αρ−ε)) · (1−1/α)^α / (α−1), written independently of the library: a dense scan of log(α − 1)
    /// over [−12, 14] refined by ternary search on the best cell (the log of the bound is convex in α).
    static func zcdpDelta(rho: Double, epsilon: Double) -> Double {
        func logBound(_ t: Double) -> Double {
            let alpha = 1 + exp(t)
            return (alpha - 1) * (alpha * rho - epsilon) + alpha * log1p(-1 / alpha) - log(alpha - 1)
        }
        let steps = 26_000
        var best = -12.0
        for i in 0...steps {
            let t = -12 + 26 * Double(i) / Double(steps)
            if logBound(t) < logBound(best) { best = t }
        }
        var lo = best - 26.0 / Double(steps), hi = best + 26.0 / Double(steps)
        for _ in 0..<100 {
            let m1 = lo + (hi - lo) / 3, m2 = hi - (hi - lo) / 3
            if logBound(m1) < logBound(m2) { hi = m2 } else { lo = m1 }
        }
        return exp(min(logBound(best), logBound((lo + hi) / 2)))
    }

    /// The (sensitivity, σ²) pairs, in grid units, of the numerator sum and the count that a bounded-mean release's
    /// mechanism text reports.
    static func gaussianParts(_ mechanism: String) throws -> [(sensitivity: Double, sigma2: Double)] {
        let pattern = try NSRegularExpression(pattern: #"sensitivity (\d+)[^;]*?σ² = (\d+)/(\d+) grid units²"#)
        let text = mechanism as NSString
        return pattern.matches(in: mechanism, range: NSRange(location: 0, length: text.length)).map { m in
            let number = { (k: Int) in Double(text.substring(with: m.range(at: k))) ?? .nan }
            return (number(1), number(2) / number(3))
        }
    }

    @Test("δ > 0: every metric is a discrete Gaussian release at (ε/2, δ/2) per part of its share, and δ is charged")
    func gaussianWhenDeltaDeclared() throws {
        let (dir, file) = try Self.regression(evaluate: "{metrics: [mean_squared_error, mean_absolute_error], epsilon: 1.0, delta: 1e-6}")
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let (_, plan) = try runner.plan(file: file)
        let evaluate = try #require(plan.stages.last)
        #expect(evaluate.cost.delta == 1e-6 && evaluate.cost.detail.hasSuffix(", discrete Gaussian"))
        let report = try runner.run(file: file, options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/l.sqlite"))
        #expect(report.privacy.private)
        #expect(report.stages.last?.name == "evaluate" && report.stages.last?.delta == 1e-6)
        #expect(abs(report.privacy.delta - plan.totalDelta) < 1e-18)
        // Each metric has ε = 0.5 and δ = 5e-7; its noisy sum and noisy count each get (0.25, 2.5e-7). A part with
        // L2 sensitivity Δ and variance σ² is ρ-zCDP with ρ = Δ²/(2σ²), which must meet δ = 2.5e-7 at ε = 0.25 —
        // and use it: the smallest σ² (rounded up to n/2ᵏ with k ≤ 30) leaves δ within 1e-6 relative of the target.
        for name in ["mean_squared_error", "mean_absolute_error"] {
            let metric = try #require(report.metrics[name])
            #expect(metric.mechanism.hasPrefix("discrete gaussian"), "\(name): \(metric.mechanism)")
            #expect(metric.epsilon == 0.5 && metric.private)
            let parts = try Self.gaussianParts(metric.mechanism)
            #expect(parts.count == 2, "\(name): \(metric.mechanism)")
            for part in parts {
                let delta = Self.zcdpDelta(rho: part.sensitivity * part.sensitivity / (2 * part.sigma2), epsilon: 0.25)
                #expect(delta <= 2.5e-7 * (1 + 1e-9) && delta >= 2.5e-7 * (1 - 1e-6), "\(name): δ = \(delta)")
            }
            let ci = try #require(metric.confidenceInterval)
            #expect(ci[0] <= metric.value && metric.value <= ci[1])
        }
        // Default grids: 2^(⌊log₂ W⌋ − 20) with W the error's range, (10 − 0)² = 100 and 10, coarsened by powers of
        // two while the discrete Gaussian's σ would not fit the integer sampler (docs/dataframe.md).
        for (name, finest) in [("mean_squared_error", 0x1p-14), ("mean_absolute_error", 0x1p-17)] {
            let g = try #require(report.metrics[name]?.granularity)
            #expect(g >= finest && g.significandBitPattern == 0, "\(name): \(g)")
        }
        let log = try String(contentsOfFile: dir + "/out/log.txt", encoding: .utf8)
        #expect(log.contains("mean_absolute_error: released (discrete gaussian") && log.contains("δ = 5e-07"))
    }

    @Test("δ = 0 (the default): the metrics are discrete Laplace releases")
    func laplaceWithoutDelta() throws {
        let (dir, file) = try Self.regression(evaluate: "{metrics: [mean_absolute_error], epsilon: 1.0}")
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let report = try runner.run(file: file, options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/l.sqlite"))
        let metric = try #require(report.metrics["mean_absolute_error"])
        #expect(metric.mechanism.hasPrefix("discrete laplace") && !metric.mechanism.contains("σ²"))
        #expect(report.stages.last?.delta == 0)
        #expect(metric.granularity == 0x1p-17)  // 2^(⌊log₂ 10⌋ − 20): Laplace needs no coarsening here
        #expect(try Self.gaussianParts(metric.mechanism).isEmpty)
    }

    @Test("report.html shows each release's and metric's granularity in its row")
    func htmlShowsGranularity() throws {
        let (dir, file) = try Self.regression(evaluate: "{metrics: [mean_squared_error], epsilon: 1.0, delta: 1e-6}")
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let report = try runner.run(file: file, options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/l.sqlite"))
        #expect(report.metrics["sum_a"]?.granularity == 0.25)
        let html = try String(contentsOfFile: dir + "/out/report.html", encoding: .utf8)
        #if canImport(FoundationXML) || canImport(Darwin)
        let cells = try ReportRenderingTests.metricCells(html)
        #expect(cells["sum_a"]?["granularity"] == "2⁻² = 0.25")
        for (name, row) in cells {
            #expect(row["granularity"] == report.metrics[name]?.granularity.map(ReportRenderer.granularity), "\(name)")
        }
        #else
        #expect(html.contains("2⁻² = 0.25"))
        #endif
    }

    /// Replaces the evaluate line of the valid fixture.
    static func withEvaluate(_ evaluate: String) -> String {
        Fixtures.validBreastCancer.replacingOccurrences(of: "- evaluate: {metrics: [accuracy], epsilon: 0.2}",
                                                        with: "- evaluate: \(evaluate)")
    }

    @Test("δ with mode: exact, and a δ too small to split across the metrics, are validation errors", arguments: [
        ("{metrics: [accuracy], mode: exact, delta: 1e-5}",
         "25:57: error: 'delta' has no meaning with 'mode: exact' (exact metrics are not private)"),
        ("{metrics: [accuracy], epsilon: 0.2, delta: 5e-19}",
         "25:58: error: 'stages[5].evaluate.delta' must be 0 or between 1e-15 and 0.1, found 5e-19"),
    ])
    func deltaValidation(_ evaluate: String, _ expected: String) throws {
        let file = "\(Fixtures.pipelines)/evaluate.yaml"
        var messages: [String] = []
        do {
            _ = try Pipeline.load(yaml: Self.withEvaluate(evaluate), file: file, directory: Fixtures.pipelines,
                                  environment: TestEnvironment.make())
        } catch let PipelineError.invalidPipeline(diagnostics) {
            messages = diagnostics.map(\.description)
        }
        #expect(messages == ["\(file):\(expected)"])
    }

    @Test("δ shares fit the allotment of the stage's δ in the ledger's units", arguments: [
        (1e-5, 1), (1e-5, 3), (1e-6, 2), (7e-6, 7), (1e-17, 3), (3e-18, 2),
    ])
    func deltaShares(total: Double, parts: Int) {
        let share = RunContext.releaseDelta(total, parts: parts)
        #expect(share <= total / Double(parts) && share >= total / Double(parts) - 2e-18)
        #expect(Int64(parts) * BudgetAmount.deltaUnitsCharged(share) <= BudgetAmount.deltaUnitsGranted(total))
    }
}
