import AuditStage
import Foundation
import PrivateLearning
import Testing
@testable import DPPipeline

/// A third-party stage defined here, outside DPPipeline: typed keys, its own cost, ordering constraints.
struct ProbeStage: PipelineStage {
    static let kind = "probe"
    static let note = ArtifactKey<Int>("test.probe_layers", producedBy: kind)
    var position: SourcePosition
    var epsilon: Double
    var inputs: [PipelineArtifact] { [Artifacts.model.erased] }
    var outputs: [PipelineArtifact] { [Self.note.erased] }

    static func definition(_ ordering: StageDefinition.Ordering = .free, needsModel: Bool = true) -> StageDefinition {
        StageDefinition(name: kind, summary: "test stage", keys: [.init("epsilon", "number", "cost")], ordering: ordering) { value, diagnostics in
            guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
            let epsilon = r.double("epsilon", required: true, diagnostics: &diagnostics) ?? 0
            r.finish(diagnostics: &diagnostics)
            return needsModel ? ProbeStage(position: value.position, epsilon: epsilon) as any PipelineStage
                : FreeProbeStage(position: value.position)
        }
    }

    func resolve(_ context: inout ResolutionContext) {}
    func cost(_ context: PlanningContext) throws -> StageCost {
        StageCost(epsilon: epsilon, delta: 0, detail: "probe release")
    }
    /// Reads the model through its typed key and leaves a marker file that proves it ran.
    func run(_ context: inout RunContext) throws {
        let layers = try #require(context[Artifacts.model]).model.layers.count
        context[Self.note] = layers
        #expect(context[Self.note] == layers)
        try "\(layers)".write(toFile: context.options.outputDirectory + "/probe-ran", atomically: true, encoding: .utf8)
    }
}

/// A probe without inputs, to test the after/before constraints alone.
struct FreeProbeStage: PipelineStage {
    static let kind = "probe"
    var position: SourcePosition
    func resolve(_ context: inout ResolutionContext) {}
    func run(_ context: inout RunContext) throws {}
}

/// Operator-side log lines (stderr in the CLI) collected by a test.
final class EventLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}

@Suite("Stages as plugins")
struct StagePluginTests {
    static func environment(_ definition: StageDefinition = ProbeStage.definition()) throws -> PipelineEnvironment {
        var environment = TestEnvironment.make()
        try environment.stages.register(definition)
        try AuditStagePlugin.register(into: &environment.stages)
        return environment
    }

    static func pipeline(inserting line: String, after anchor: String) -> String {
        Fixtures.validBreastCancer
            .replacingOccurrences(of: "csv: data/", with: "csv: \(Fixtures.data)/")
            .replacingOccurrences(of: anchor + "\n", with: anchor + "\n" + line + "\n")
    }

    static func problems(_ text: String, _ environment: PipelineEnvironment) -> String {
        do {
            _ = try Pipeline.load(yaml: text, file: "p.yaml", environment: environment).plan(datasetID: { _ in "x" })
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test("a third-party stage's (ε, δ) is part of the plan and of the total")
    func costInPlan() throws {
        let environment = try Self.environment()
        let base = try Pipeline.load(yaml: Self.pipeline(inserting: "", after: "  - predict: {label_columns: [predicted]}"),
                                     environment: environment).plan(datasetID: { _ in "x" })
        let text = Self.pipeline(inserting: "  - probe: {epsilon: 0.3}", after: "  - predict: {label_columns: [predicted]}")
        let plan = try Pipeline.load(yaml: text, environment: environment).plan(datasetID: { _ in "x" })
        let probe = try #require(plan.stages.first { $0.kind == "probe" })
        #expect(probe.cost.epsilon == 0.3 && probe.cost.detail == "probe release")
        #expect(abs(plan.totalEpsilon - base.totalEpsilon - 0.3) < 1e-12)
        #expect(PlanRenderer.text(plan, file: "p.yaml", ledgerPath: "l", ledger: nil).contains("probe"))
    }

    @Test("the stage's cost is reserved with the rest before any data is read: too little budget refuses the run and no stage runs")
    func costReservedBeforeData() throws {
        let environment = try Self.environment()
        let dir = Fixtures.temporaryDirectory("stage-cost")
        let runner = try PipelineRunner.standard(environment: environment)
        // ε = 9.5 on top of training and evaluation exceeds the budget of 10.
        let refused = Self.pipeline(inserting: "  - probe: {epsilon: 9.5}", after: "  - predict: {label_columns: [predicted]}")
        try refused.write(toFile: dir + "/refused.yaml", atomically: true, encoding: .utf8)
        #expect(throws: PipelineError.self) {
            _ = try runner.run(file: dir + "/refused.yaml",
                               options: RunOptions(outputDirectory: dir + "/out1", ledgerPath: dir + "/ledger.sqlite", epochsOverride: 1))
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/out1/probe-ran"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out1/report.json"))
        #expect((try? String(contentsOfFile: dir + "/out1/log.txt", encoding: .utf8))?.contains("stage 1/") != true)

        let accepted = Self.pipeline(inserting: "  - probe: {epsilon: 0.3}", after: "  - predict: {label_columns: [predicted]}")
        try accepted.write(toFile: dir + "/accepted.yaml", atomically: true, encoding: .utf8)
        let (_, plan) = try runner.plan(file: dir + "/accepted.yaml", epochsOverride: 1)
        let report = try runner.run(file: dir + "/accepted.yaml",
                                    options: RunOptions(outputDirectory: dir + "/out2", ledgerPath: dir + "/ledger.sqlite", epochsOverride: 1))
        #expect(try String(contentsOfFile: dir + "/out2/probe-ran", encoding: .utf8) == "2")
        #expect(report.stages.contains { $0.name == "probe" && $0.epsilon == 0.3 })
        #expect(abs(report.privacy.epsilon - plan.totalEpsilon) < 1e-9)
        #expect(abs((report.privacy.ledgerSpentEpsilon ?? 0) - plan.totalEpsilon) < 1e-6)
        let log = try String(contentsOfFile: dir + "/out2/log.txt", encoding: .utf8)
        let reserved = try #require(log.range(of: "ledger: reserved")), first = try #require(log.range(of: "stage 1/"))
        #expect(reserved.lowerBound < first.lowerBound)
    }

    @Test("a stage whose required artifact is missing is refused at validation with file:line:column")
    func missingArtifactIsPositioned() throws {
        let text = Self.pipeline(inserting: "  - probe: {epsilon: 0.1}", after: "  - select: {features: all, label: target}")
        let message = Self.problems(text, try Self.environment())
        #expect(message.contains("p.yaml:13:5: error: stage 'probe' needs a model; add a 'train' stage before it"), "\(message)")
    }

    @Test("after/before constraints and at-most-once are checked at the stage's file:line:column")
    func orderingConstraints() throws {
        let environment = try Self.environment(ProbeStage.definition(.init(after: ["evaluate"], before: ["split"], atMostOnce: true),
                                                                      needsModel: false))
        let text = Self.pipeline(inserting: "  - probe: {epsilon: 0}\n  - probe: {epsilon: 0}",
                                 after: "  - select: {features: all, label: target}")
        let message = Self.problems(text, environment)
        #expect(message.contains("p.yaml:13:5: error: stage 'probe' must come after every 'evaluate' stage, but one stands after it (at 27:5)"), "\(message)")
        #expect(message.contains("p.yaml:14:5: error: stage 'probe' appears twice (first at 13:5)"), "\(message)")
        let late = Self.pipeline(inserting: "  - probe: {epsilon: 0}", after: "  - evaluate: {metrics: [accuracy], epsilon: 0.2}")
        let lateMessage = Self.problems(late, environment)
        #expect(lateMessage.contains("p.yaml:26:5: error: stage 'probe' must come before every 'split' stage, but one stands before it (at 13:5)"), "\(lateMessage)")
        #expect(!lateMessage.contains("must come after"), "\(lateMessage)")
    }

    @Test("an unknown stage name keeps its file:line:column and a did-you-mean over every registered stage")
    func unknownStageSuggestsPluginStage() throws {
        let text = Self.pipeline(inserting: "  - audti: {}", after: "  - predict: {label_columns: [predicted]}")
        let message = Self.problems(text, try Self.environment())
        #expect(message.contains("p.yaml:25:5: error: unknown stage 'audti'. Did you mean 'audit'?"), "\(message)")
        #expect(message.contains("Known stages: load, select, split, vocabulary, train, predict, evaluate, release, export, probe, audit."), "\(message)")
    }

    @Test("typed keys: the built-in artifacts read back through their keys with their types")
    func builtInKeysRoundTrip() throws {
        #expect(Artifacts.model.erased == .model && Artifacts.predictions.erased == .predictions)
        #expect(ArtifactKey<Int>("model", producedBy: "x").erased != .model)   // same name, other type: another artifact
        #expect(PipelineArtifact.split.article == "a" && PipelineArtifact.split.producer == "split")
    }

    static func runAudit(report destination: String, dir: String) throws -> (RunReport, [String]) {
        let text = Self.pipeline(inserting: "  - audit: {report: \(destination)}", after: "  - predict: {label_columns: [predicted]}")
        try text.write(toFile: dir + "/audit.yaml", atomically: true, encoding: .utf8)
        let runner = try PipelineRunner.standard(environment: try Self.environment())
        let events = EventLines()
        let report = try runner.run(file: dir + "/audit.yaml",
                                    options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/ledger.sqlite",
                                                        epochsOverride: 1, events: { event in
                                                            if case .log(let line) = event { events.append(line) }
                                                        }))
        return (report, events.all)
    }

    @Test("audit (default report: operator): the empirical ε goes to stderr only; the output folder has no audit value")
    func auditForOperatorOnly() throws {
        let dir = Fixtures.temporaryDirectory("audit-operator")
        let (report, events) = try Self.runAudit(report: "operator", dir: dir)
        #expect(report.privacy.private, "\(report.privacy.notPrivateReasons)")
        #expect(report.stageResults == nil)
        #expect(report.stages.contains { $0.name == "audit" && $0.epsilon == 0 })
        let line = try #require(events.first { $0.contains("audit (operator only, not DP)") })
        #expect(line.contains("empirical ε ≥") && line.contains("accountant ε ="))
        for file in ["log.txt", "report.json", "report.html"] {
            let text = try String(contentsOfFile: dir + "/out/" + file, encoding: .utf8)
            #expect(!text.contains("empirical ε ≥") && !text.contains("non-members") && !text.contains("AUC"), "\(file)")
        }
        #expect(try String(contentsOfFile: dir + "/out/log.txt", encoding: .utf8).contains("went to the operator"))
    }

    @Test("audit with report: not_private: the bounds sit next to the accountant's ε in report.json/html and the run is NOT PRIVATE")
    func auditInReportMarksNotPrivate() throws {
        let dir = Fixtures.temporaryDirectory("audit-report")
        let (report, _) = try Self.runAudit(report: "not_private", dir: dir)
        #expect(!report.privacy.private)
        #expect(report.privacy.notPrivateReasons.contains { $0.contains("audit stage") })
        let results = try #require(report.stageResults)
        #expect(results.map(\.name) == ["empirical_epsilon_lower_bound", "one_run_epsilon_lower_bound"])
        let training = try #require(report.stages.first { $0.name == "train" })
        for r in results {
            #expect(!r.private && r.value.isFinite && r.value >= 0)
            // A lower bound on a DP-SGD run's ε (holding with 95% confidence) cannot exceed the accountant's ε
            // unless the accounting is wrong; at σ = 1.1 and one epoch it is far below.
            #expect(r.value <= training.epsilon, "\(r) vs \(training.epsilon)")
            #expect(r.detail.contains("accountant ε = " + PrivacyFormat.string(training.epsilon)))
        }
        let json = try String(contentsOfFile: dir + "/out/report.json", encoding: .utf8)
        #expect(json.contains("\"stage_results\"") && json.contains("empirical_epsilon_lower_bound"))
        let html = try String(contentsOfFile: dir + "/out/report.html", encoding: .utf8)
        #expect(html.contains("empirical_epsilon_lower_bound (stage audit, NOT PRIVATE)") && html.contains("NOT PRIVATE"))
    }

    @Test("audit without a split is refused at validation (it needs held-out non-members)")
    func auditNeedsSplit() throws {
        let text = Self.pipeline(inserting: "  - audit", after: "      epochs: 2")
            .replacingOccurrences(of: "  - split: {test_fraction: 0.2, seed: 0}\n", with: "")
            .replacingOccurrences(of: "  - predict: {label_columns: [predicted]}\n", with: "")
            .replacingOccurrences(of: "  - evaluate: {metrics: [accuracy], epsilon: 0.2}\n", with: "")
        let message = Self.problems(text, try Self.environment())
        #expect(message.contains("error: stage 'audit' needs a split; add a 'split' stage before it"), "\(message)")
    }
}
