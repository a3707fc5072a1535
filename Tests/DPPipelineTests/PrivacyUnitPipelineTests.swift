import Foundation
import Testing
import PrivacyAccounting
@testable import DPPipeline

/// Issue 15 in pipelines: `privacy.unit`, `max_rows_per_unit`, `public_units`, validated with positions before any
/// reservation; plans and reports name the unit; training samples and clips units; the unit ids never reach an output.
@Suite("Privacy unit in pipelines", .serialized)
struct PrivacyUnitPipelineTests {
    /// 60 persons (ids 7,300,001 + 97·u: distinctive numbers, never in an output) with 1–9 rows each.
    static func csv() throws -> String {
        let dir = Fixtures.temporaryDirectory("dpflow-unit")
        var text = "pid,x1,x2,y\n"
        for u in 0..<60 {
            for r in 0..<(1 + u % 9) {
                let x1 = Double((u * 7 + r * 3) % 10) / 10, x2 = Double((u + r) % 5) / 5
                text += "\(7_300_001 + 97 * u),\(x1),\(x2),\(x1 + x2 > 0.9 ? 1 : 0)\n"
            }
        }
        try text.write(toFile: dir + "/units.csv", atomically: true, encoding: .utf8)
        return dir + "/units.csv"
    }

    static func yaml(csv: String, privacy: String = "  unit: pid\n  max_rows_per_unit: 4\n  public_units: 50",
                     pid: String = "{type: integer, min: 0, max: 16000000, out_of_bounds: drop_row}",
                     select: String = "{features: all, label: y}", split: String = "{test_fraction: 0.2, seed: 0}",
                     train: String = "target_epsilon: 3.0") -> String {
        """
        name: units
        privacy:
          dataset: unit-test
          budget: {epsilon: 10.0, delta: 1e-4}
        \(privacy)
        stages:
          - load:
              csv: \(csv)
              schema:
                pid: \(pid)
                x1: {type: number, min: 0, max: 1}
                x2: {type: number, min: 0, max: 1}
                y: {type: category, values: [0, 1]}
          - select: \(select)
          - split: \(split)
          - train:
              model:
                - dense: {units: 4, activation: relu}
                - dense: {units: 1, activation: sigmoid}
              loss: binary_crossentropy
              optimizer: {adam: {learning_rate: 0.05}}
              l2_norm_clip: 1.0
              \(train)
              batch_size: 8
              epochs: 3
          - predict: {label_columns: [predicted]}
          - evaluate: {metrics: [accuracy], epsilon: 0.5}
          - release: {statistic: count, epsilon: 0.5}
          - export: {model: model}
        """
    }

    static func errors(_ text: String) -> [PipelineDiagnostic] {
        do { _ = try NeighbouringTests.plan(text); return [] } catch PipelineError.invalidPipeline(let d) { return d } catch { return [] }
    }

    @Test("the plan counts units: q = B_units/N_units, steps = epochs·ceil(N_units/B_units), user-level line")
    func planCountsUnits() throws {
        let text = Self.yaml(csv: try Self.csv())
        let p = try NeighbouringTests.plan(text)
        #expect(p.privacyUnit == "user-level (unit: pid, at most 4 rows per unit)")
        #expect(p.records == 50 && p.trainingRecords == 40)
        let t = try #require(p.training)
        #expect(t.samplingRate == 8.0 / 40 && t.steps == 3 * 5)
        let run = try DPSGDRun(examples: 40, batchSize: 8, epochs: 3, relation: .addRemove)
        #expect(abs(try run.epsilon(noiseMultiplier: t.noiseMultiplier, delta: t.delta, accountant: .rdp) - p.stages[3].cost.epsilon) < 1e-12)
        let out = try NeighbouringTests.planText(text)
        #expect(out.contains("Privacy unit: user-level (unit: pid, at most 4 rows per unit)"))
    }

    @Test("every misuse is an error at its line and column, before any reservation")
    func validationWithPositions() throws {
        let csv = try Self.csv()
        func expectError(_ text: String, line: Int, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
            let d = Self.errors(text)
            let hit = d.first { $0.message.contains(fragment) }
            #expect(hit != nil, "no error with '\(fragment)' in \(d.map(\.description))", sourceLocation: sourceLocation)
            #expect(hit?.position.line == line, "\(hit.map(\.description) ?? "")", sourceLocation: sourceLocation)
            #expect((hit?.position.column ?? 0) >= 1, sourceLocation: sourceLocation)
        }
        expectError(Self.yaml(csv: csv, privacy: "  unit: pid"), line: 5, "needs 'privacy.max_rows_per_unit")
        expectError(Self.yaml(csv: csv, privacy: "  max_rows_per_unit: 3"), line: 5, "needs 'privacy.unit")
        expectError(Self.yaml(csv: csv, privacy: "  unit: pid\n  max_rows_per_unit: 0"), line: 6, "max_rows_per_unit' must be")
        expectError(Self.yaml(csv: csv, privacy: "  unit: pid\n  max_rows_per_unit: 3\n  public_size: 50"), line: 7, "public_units")
        expectError(Self.yaml(csv: csv, privacy: "  neighbouring: replace_one\n  unit: pid\n  max_rows_per_unit: 3"), line: 6,
                    "add_remove")
        expectError(Self.yaml(csv: csv, pid: "{type: number, min: 0, max: 16000000, out_of_bounds: drop_row}"), line: 12,
                    "integer or category")
        expectError(Self.yaml(csv: csv, pid: "{type: integer, min: 0, max: 16000000}"), line: 12, "out_of_bounds: drop_row")
        expectError(Self.yaml(csv: csv, pid: "{type: integer, min: 0, max: 90000000, out_of_bounds: drop_row}"), line: 12, "2²⁴")
        expectError(Self.yaml(csv: csv, select: "{features: [pid, x1], label: y}"), line: 16, "never a feature")
        expectError(Self.yaml(csv: csv, split: "{test_fraction: 0.2, seed: 0, by: x1}"), line: 17, "remove 'by: x1'")
        expectError(Self.yaml(csv: csv, privacy: "  unit: pidd\n  max_rows_per_unit: 3"), line: 5, "own schema entry")
        #expect(Self.errors(Self.yaml(csv: csv)).isEmpty)
    }

    /// A seeded run end to end: the report names the unit, releases carry sensitivity k, the unit column is not a
    /// feature (input width 2), and no unit id appears in any file of the output folder.
    @Test("a run trains on units and no unit id reaches the output folder")
    func runKeepsUnitIDsOut() throws {
        let csv = try Self.csv()
        let dir = Fixtures.temporaryDirectory()
        try Self.yaml(csv: csv).write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let report = try runner.run(file: dir + "/p.yaml", options: RunOptions(outputDirectory: dir + "/out",
                                                                                   ledgerPath: dir + "/l.sqlite", seed: 3))
        #expect(report.privacy.privacyUnit == "user-level (unit: pid, at most 4 rows per unit)")
        let training = try #require(report.training)
        #expect(training.steps == 15 && training.samplingRate == 0.2)
        #expect(training.layers.first == "input(2)")
        let count = try #require(report.metrics["count"])
        #expect(count.mechanism.contains("count sensitivity 4"), "\(count.mechanism)")
        let files = try FileManager.default.subpathsOfDirectory(atPath: dir + "/out")
        #expect(!files.isEmpty)
        for file in files {
            guard let data = FileManager.default.contents(atPath: dir + "/out/" + file) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            for u in 0..<60 { #expect(!text.contains(String(7_300_001 + 97 * u)), "\(file) holds a unit id") }
        }
    }

    @Test("without public_units the number of units is a DP count of distinct units, charged as the load's line")
    func dpCountOfUnits() throws {
        let csv = try Self.csv()
        let text = Self.yaml(csv: csv, privacy: "  unit: pid\n  max_rows_per_unit: 4\n  size_epsilon: 0.5")
        let p = try NeighbouringTests.plan(text)
        #expect(p.sizeSource == .dpCount(epsilon: 0.5) && p.stages[0].cost.epsilon == 0.5)
        let dir = Fixtures.temporaryDirectory()
        try text.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let report = try runner.run(file: dir + "/p.yaml", options: RunOptions(outputDirectory: dir + "/out",
                                                                                   ledgerPath: dir + "/l.sqlite", seed: 4))
        // 60 units; discrete Laplace of scale 2: |noise| > 40 has probability < 1e-8. Training part ≈ 0.8 of it.
        let n = try #require(report.training?.examples)
        #expect(abs(Double(n) - 48) <= 40)
        #expect(report.privacy.records?.contains("a DP count") == true)
    }
}
