import Foundation
import Testing
import PrivacyAccounting
import PrivateDataFrame
@testable import DPPipeline

/// Issue 11, items 3, 6 and 7: the neighbouring relation in plans and reports, no realised N under add_remove,
/// one step convention shared with `dpflow budget`, per-epoch ε from the pipeline's own accountant.
@Suite("Neighbouring relation and public size", .serialized)
struct NeighbouringTests {
    /// The breast-cancer fixture (569 rows) with its `public_size` line replaced by `privacy` lines.
    static func yaml(privacy extra: String, train: String = "noise_multiplier: 1.1", epochs: Int = 2,
                     split: String = "{test_fraction: 0.2, seed: 0}") -> String {
        Fixtures.validBreastCancer
            .replacingOccurrences(of: "data/breast_cancer.csv", with: Fixtures.data + "/breast_cancer.csv")
            .replacingOccurrences(of: "  public_size: 569\n", with: extra.isEmpty ? "" : extra + "\n")
            .replacingOccurrences(of: "noise_multiplier: 1.1", with: train)
            .replacingOccurrences(of: "epochs: 2", with: "epochs: \(epochs)")
            .replacingOccurrences(of: "{test_fraction: 0.2, seed: 0}", with: split)
    }

    static func plan(_ text: String) throws -> PipelinePlan {
        try Pipeline.load(yaml: text, file: "t.yaml", environment: TestEnvironment.make()).plan(datasetID: { _ in "t" })
    }

    static func planText(_ text: String) throws -> String {
        let dir = Fixtures.temporaryDirectory()
        try text.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        let ledger = try CommandLineTests.initLedger(dir + "/ledger.sqlite")
        let r = try CommandLineTests.dpflow(["plan", "p.yaml", "--ledger", ledger], in: dir)
        #expect(r.code == 0, "\(r.stderr)")
        return r.stdout
    }

    static func errors(_ text: String) -> [PipelineDiagnostic] {
        do { _ = try plan(text); return [] } catch PipelineError.invalidPipeline(let d) { return d } catch { return [] }
    }

    @Test("add_remove with a declared public_size: q from it, the realised N (569) nowhere in the plan")
    func declaredPublicSizeHidesN() throws {
        let p = try Self.plan(Self.yaml(privacy: "  public_size: 640"))
        #expect(p.neighbouring == .addRemove && p.sizeSource == .declared)
        #expect(p.records == 640 && p.testRecords == 128 && p.trainingRecords == 512)
        let t = try #require(p.training)
        #expect(t.examples == 512 && t.samplingRate == 32.0 / 512 && t.steps == 2 * 16)
        let text = try Self.planText(Self.yaml(privacy: "  public_size: 640"))
        #expect(text.contains("Neighbouring: add_remove — \(NeighbouringRelation.addRemove.summary)"))
        #expect(text.contains("640 records, declared public (privacy.public_size)"))
        let numbers = Set(text.split(whereSeparator: { !$0.isNumber }).map(String.init))
        for realised in ["569", "455", "114"] { #expect(!numbers.contains(realised), "plan shows \(realised)") }
    }

    @Test("add_remove without public_size: a DP count as the load stage's own line, σ calibrated at run time")
    func dpCountIsItsOwnPlannedLine() throws {
        let text = Self.yaml(privacy: "  size_epsilon: 0.1", train: "target_epsilon: 2.0")
        let p = try Self.plan(text)
        #expect(p.sizeSource == .dpCount(epsilon: 0.1))
        #expect(p.records == nil && p.trainingRecords == nil)
        #expect(p.stages[0].kind == "load" && p.stages[0].cost.epsilon == 0.1)
        #expect(p.training?.deferred == true)
        #expect(abs(p.totalEpsilon - (0.1 + 2.0 + 0.2)) < 1e-12)
        let out = try Self.planText(text)
        #expect(out.contains("DP count of the rows"))
        #expect(!Set(out.split(whereSeparator: { !$0.isNumber }).map(String.init)).contains("569"))
        // The run: counts, calibrates σ to the reserved target, and reports the count's provenance, not N.
        let dir = Fixtures.temporaryDirectory()
        try text.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let report = try runner.run(file: dir + "/p.yaml", options: RunOptions(outputDirectory: dir + "/out",
                                                                                   ledgerPath: dir + "/l.sqlite", seed: 11))
        #expect(report.privacy.neighbouring == "add_remove")
        #expect(report.privacy.records?.contains("a DP count (ε = 0.1)") == true)
        let training = try #require(report.training)
        #expect(training.epochs.allSatisfy { $0.epsilon <= 2.0 })
        #expect(training.epochs.last.map { $0.epsilon > 1.99 } == true)
        #expect(abs(report.privacy.epsilon - p.totalEpsilon) < 1e-12)
    }

    @Test("noise_multiplier without public_size under add_remove is a validation error at the train stage")
    func noiseMultiplierNeedsPublicSize() throws {
        let d = Self.errors(Self.yaml(privacy: ""))
        let e = try #require(d.first { $0.message.contains("public_size") })
        #expect(e.position.line > 1 && e.position.column >= 1)
        #expect(Self.errors(Self.yaml(privacy: "  public_size: 0")).contains { $0.message.contains("public_size") })
        #expect(Self.errors(Self.yaml(privacy: "  neighbouring: replace_one\n  accountant: pld")).contains { $0.message.contains("replace_one") })
        #expect(Self.errors(Self.yaml(privacy: "  neighbouring: replace_one", split: "{test_fraction: 0.2, by: target}"))
            .contains { $0.message.contains("'by'") })
        #expect(Self.errors(Self.yaml(privacy: "  neighbouring: swap")).contains { $0.message.contains("neighbouring") })
        #expect(Self.errors(Self.yaml(privacy: "  public_size: 569\n  size_epsilon: 0.1")).contains { $0.message.contains("size_epsilon") })
        #expect(Self.errors(Self.yaml(privacy: "  public_size: 569")).isEmpty)
        let unknown = Self.errors(Self.yaml(privacy: "  public_size: 569", split: "{test_fraction: 0.2, by: mean_radiu}"))
        #expect(unknown.contains { $0.message.contains("'mean_radiu'") && $0.message.contains("Did you mean 'mean_radius'?") })
        #expect(Self.errors(Self.yaml(privacy: "  public_size: 569", split: "{test_fraction: 0.2, by: mean_radius}")).isEmpty)
    }

    @Test("replace_one: N read from the data and printed, fixed-size batches without replacement accounted")
    func replaceOnePlansAndRuns() throws {
        let text = Self.yaml(privacy: "  neighbouring: replace_one", train: "noise_multiplier: 2.0")
        let p = try Self.plan(text)
        #expect(p.records == 569 && p.sizeSource == .data)
        let t = try #require(p.training)
        let run = try DPSGDRun(examples: t.examples, batchSize: 32, epochs: 2, relation: .replaceOne)
        #expect(t.steps == run.steps)
        let train = try #require(p.stages.first { $0.kind == "train" })
        #expect(train.cost.epsilon == (try run.epsilon(noiseMultiplier: 2.0, delta: t.delta)))
        #expect(train.cost.detail.contains("without replacement"))
        let out = try Self.planText(text)
        #expect(out.contains("Neighbouring: replace_one") && out.contains("569 records, read from the data"))
        let dir = Fixtures.temporaryDirectory()
        try text.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        let report = try PipelineRunner.standard(environment: TestEnvironment.make())
            .run(file: dir + "/p.yaml", options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/l.sqlite", seed: 11))
        #expect(report.privacy.neighbouring == "replace_one")
        #expect(report.training?.steps == t.steps)
    }

    /// The DP evaluation follows the pipeline's relation: a centred numerator over [0, 1] moves by 1/2 under
    /// add/remove and by 1 under replace-one, so its sensitivity in grid units doubles.
    @Test("evaluate's releases use the pipeline's neighbouring relation (replace_one doubles the numerator's sensitivity)")
    func evaluateFollowsTheRelation() throws {
        func numeratorSensitivity(_ privacy: String) throws -> Int {
            let dir = Fixtures.temporaryDirectory()
            try Self.yaml(privacy: privacy, train: "noise_multiplier: 2.0").write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
            let report = try PipelineRunner.standard(environment: TestEnvironment.make())
                .run(file: dir + "/p.yaml", options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/l.sqlite", seed: 11))
            let mechanism = try #require(report.metrics["accuracy"]?.mechanism)
            let digits = try #require(mechanism.components(separatedBy: "sum sensitivity ").dropFirst().first?
                .prefix { $0.isNumber })
            return try #require(Int(digits))
        }
        let addRemove = try numeratorSensitivity("  public_size: 569")
        let replaceOne = try numeratorSensitivity("  neighbouring: replace_one")
        #expect(replaceOne == 2 * addRemove, "add_remove \(addRemove), replace_one \(replaceOne)")
    }

    /// Item 6: `dpflow budget` calibrates σ for a target ε; the same N, B and epochs in a pipeline (N = 455
    /// training records: public_size 569, test fraction 0.2) give the same ε and the same steps.
    @Test("budget's σ for a target ε costs the same ε in a pipeline plan with the same N, B, epochs")
    func budgetAndPlanAgree() throws {
        let r = try CommandLineTests.dpflow(["budget", "--examples", "455", "--batch-size", "32", "--epochs", "30",
                                             "--delta", "1e-5", "--target-epsilon", "1", "--json"])
        #expect(r.code == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let sigma = try #require(object["noise_multiplier"] as? Double)
        let steps = try #require(object["steps"] as? Int)
        #expect(steps == 450)
        let text = Self.yaml(privacy: "  public_size: 569\n  delta: 1e-5", train: "noise_multiplier: \(sigma)", epochs: 30)
        let p = try Self.plan(text)
        let t = try #require(p.training)
        #expect(t.examples == 455 && t.steps == steps)
        let eps = try #require(p.stages.first { $0.kind == "train" }).cost.epsilon
        #expect(eps <= 1 && eps > 0.999)
    }

    /// Item 7: with `accountant: pld` the per-epoch ε in report.json are PLD values, labelled, none above the target.
    @Test("per-epoch ε come from the PLD accountant with accountant: pld, labelled, never above the target")
    func perEpochEpsilonFromPLD() throws {
        // σ given (no calibration: PLD is slow in debug builds); the planned ε plays the target's part.
        let text = Self.yaml(privacy: "  public_size: 569\n  accountant: pld", train: "noise_multiplier: 1.5", epochs: 3)
        let planned = try #require(try Self.plan(text).stages.first { $0.kind == "train" }).cost.epsilon
        let rdp = try epsilon(samplingRate: 32.0 / 455, noiseMultiplier: 1.5, steps: 45, delta: 1e-5, accountant: .rdp)
        #expect(planned < rdp)   // the plan is PLD's figure, tighter than RDP's
        let dir = Fixtures.temporaryDirectory()
        try text.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        let report = try PipelineRunner.standard(environment: TestEnvironment.make())
            .run(file: dir + "/p.yaml", options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/l.sqlite", seed: 11))
        let t = try #require(report.training)
        #expect(t.epsilonAccountant == "pld")
        #expect(t.epochs.count == 3)
        #expect(t.epochs.allSatisfy { $0.epsilon <= planned })
        #expect(t.epochs.last?.epsilon == planned)
        for e in t.epochs.dropLast() {
            let pld = try epsilon(samplingRate: t.samplingRate, noiseMultiplier: t.noiseMultiplier, steps: e.epoch * 15,
                                  delta: 1e-5, accountant: .pld)
            #expect(e.epsilon == pld)
        }
        let json = try String(contentsOfFile: dir + "/out/report.json", encoding: .utf8)
        #expect(json.contains("\"epochs_epsilon_accountant\" : \"pld\"") || json.contains("\"epochs_epsilon_accountant\":\"pld\""))
        let html = try String(contentsOfFile: dir + "/out/report.html", encoding: .utf8)
        #expect(html.contains("ε so far (PLD)") && html.contains("neighbouring relation"))
    }
}

/// Item 2: under add_remove the realised number of rows (and of training and test rows) reaches no output.
@Suite("No realised N in the output folder")
struct RealisedCountLeakTests {
    @Test("with public_size 1000 on 1237 rows, neither 1237 nor the realised split sizes appear in plan, report, log or status")
    func realisedCountsStayPrivate() throws {
        let dir = Fixtures.temporaryDirectory()
        var rows = ["x,y,label"]
        for i in 0..<1237 { rows.append("\(Double(i % 10) / 2),\(Double(i % 7)),\(i % 2)") }
        try rows.joined(separator: "\n").write(toFile: dir + "/data.csv", atomically: true, encoding: .utf8)
        let yaml = """
        name: counts
        privacy:
          dataset: counts-test
          budget: {epsilon: 100, delta: 1e-4}
          public_size: 1000
        stages:
          - load:
              csv: data.csv
              schema:
                x: {type: number, min: 0, max: 10}
                y: {type: number, min: 0, max: 10}
                label: {type: category, values: [0, 1]}
          - select: {features: [x, y], label: label}
          - split: {test_fraction: 0.3, seed: 4}
          - train:
              model:
                - dense: {units: 4, activation: relu}
                - dense: {units: 1, activation: sigmoid}
              loss: binary_crossentropy
              optimizer: adam
              l2_norm_clip: 1.0
              noise_multiplier: 1.0
              batch_size: 50
              epochs: 2
          - predict: {}
          - evaluate: {metrics: [accuracy], epsilon: 1.0}
        """
        try yaml.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let report = try runner.run(file: dir + "/p.yaml", options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/l.sqlite",
                                                                                        seed: 11))
        // Seeded so that the DP releases' own digits are fixed (unseeded, a noisy value or noise parameter can
        // coincide with a realised size by chance). Public: 1000 records, 700 training (q = 50/700, 14 steps per epoch), 300 test.
        #expect(report.training?.examples == 700 && report.training?.steps == 28)
        // The realised sizes: 1237 rows, and the content split's parts (computed here, never by the run's outputs).
        let frame = try PrivateDataFrame.load(csv: dir + "/data.csv", schema: Schema(columns: [
            "x": .number(min: 0, max: 10), "y": .number(min: 0, max: 10), "label": .category(["0", "1"]),
        ]))
        let (train, test) = try frame.split(testFraction: 0.3, seed: 4, key: .rowContent)
        let realised = ["1237", String(train.rowCountForAccounting), String(test.rowCountForAccounting)]
        #expect(!realised.contains("700") && !realised.contains("300"))
        let plan = try CommandLineTests.dpflow(["plan", "p.yaml", "--ledger", dir + "/l2.sqlite"], in: dir)
        var texts = ["plan": plan.stdout + plan.stderr]
        for name in ["report.json", "report.html", "log.txt", "status.json"] {
            texts[name] = try String(contentsOfFile: dir + "/out/" + name, encoding: .utf8)
        }
        for (name, text) in texts {
            // The temporary folder's random name is not the run's output.
            let tokens = Set(text.replacingOccurrences(of: dir, with: "DIR").split(whereSeparator: { !$0.isNumber }).map(String.init))
            for n in realised where tokens.contains(n) {
                let lines = text.split(separator: "\n").filter { $0.contains(n) }.map { String($0.prefix(300)) }
                Issue.record("\(name) contains the realised count \(n): \(lines)")
            }
        }
    }
}
