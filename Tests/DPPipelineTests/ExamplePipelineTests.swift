import Foundation
import Testing
@testable import DPPipeline

/// Every pipeline shipped in `pipelines/` validates and runs (with 2 epochs and a seed, so quickly).
@Suite("Example pipelines")
struct ExamplePipelineTests {
    static let files: [String] = {
        ((try? FileManager.default.contentsOfDirectory(atPath: Fixtures.pipelines)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
    }()

    @Test("the examples exist")
    func examplesExist() {
        #expect(Set(Self.files).isSuperset(of: ["quickstart.yaml", "breast_cancer.yaml", "digits.yaml"]))
    }

    @Test("every example validates and plans within its declared budget", arguments: files)
    func validates(_ file: String) throws {
        let environment = TestEnvironment.make()
        do {
            let pipeline = try Pipeline.load(file: Fixtures.pipelines + "/" + file, environment: environment)
            let plan = try pipeline.plan(datasetID: { _ in "test" })
            let budget = try #require(pipeline.spec.privacy.budget)
            #expect(plan.totalEpsilon <= budget.epsilon)
            #expect(plan.totalDelta <= budget.delta)
        }
    }

    /// Examples too large for a debug test run (60,000 images): validated and planned above, run by the benchmark/README commands.
    static let heavy: Set<String> = ["fashion_mnist.yaml", "fashion_mnist_scattering.yaml"]

    @Test("every example runs end to end (2 epochs, seeded) and writes its output folder", arguments: files.filter { !heavy.contains($0) })
    func runs(_ file: String) throws {
        let environment = TestEnvironment.make()
        do {
            let dir = Fixtures.temporaryDirectory()
            let runner = try PipelineRunner.standard(environment: environment)
            let options = RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/ledger.sqlite", seed: 7, epochsOverride: 2)
            let report = try runner.run(file: Fixtures.pipelines + "/" + file, options: options)
            let (_, plan) = try runner.plan(file: Fixtures.pipelines + "/" + file, epochsOverride: 2)
            #expect(report.status == "completed")
            #expect(abs(report.privacy.epsilon - plan.totalEpsilon) < 1e-12)
            #expect(report.privacy.private == false)  // seeded
            #expect(report.stages.map(\.name) == plan.stages.map(\.kind))
            #expect(report.metrics["accuracy"] != nil)
            #expect(report.training?.epochs.count == 2)
            for name in ["report.json", "report.html", "log.txt", "status.json", "model.json"] {
                #expect(FileManager.default.fileExists(atPath: dir + "/out/" + name), "missing \(name)")
            }
            #expect(JobStatus.read(folder: dir + "/out")?.state == .completed)
            let snapshot = try #require(try runner.ledgerSnapshot(path: dir + "/ledger.sqlite", dataset: plan.dataset))
            #expect(abs(snapshot.usedEpsilon - plan.totalEpsilon) < 1e-9)
        }
    }
}

@Suite("Budget flow")
struct BudgetFlowTests {
    static let quickstart = Fixtures.pipelines + "/quickstart.yaml"

    @Test("a run that does not fit is refused before reading data and leaves the ledger unchanged")
    func refusalLeavesLedgerUnchanged() throws {
        let dir = Fixtures.temporaryDirectory()
        let ledgerPath = dir + "/ledger.sqlite"
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let (_, plan) = try runner.plan(file: Self.quickstart, epochsOverride: 1)
        // Grant less than the run needs.
        let ledger = try BudgetLedgerAdapter(path: ledgerPath, createIfAbsent: true)
        try ledger.grant(dataset: plan.dataset, epsilon: plan.totalEpsilon * 0.9, delta: 1e-5)
        let before = try ledger.snapshot(dataset: plan.dataset)
        do {
            _ = try runner.run(file: Self.quickstart, options: RunOptions(outputDirectory: dir + "/out", ledgerPath: ledgerPath,
                                                                          seed: 1, epochsOverride: 1))
            Issue.record("the run was not refused")
        } catch let error as PipelineError {
            #expect(error.exitCode == 3, "\(error)")
        }
        #expect(try ledger.snapshot(dataset: plan.dataset) == before)
        #expect(JobStatus.read(folder: dir + "/out")?.state == .refused)
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/report.json"))
    }

    @Test("privacy.budget is granted on first use only; runs are charged until the grant is spent")
    func grantOnFirstUseThenRefuse() throws {
        let dir = Fixtures.temporaryDirectory()
        let ledgerPath = dir + "/ledger.sqlite"
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let options = RunOptions(outputDirectory: dir + "/a", ledgerPath: ledgerPath, seed: 1, epochsOverride: 1)
        let first = try runner.run(file: Self.quickstart, options: options)
        let (_, plan) = try runner.plan(file: Self.quickstart, epochsOverride: 1)
        let after = try #require(try runner.ledgerSnapshot(path: ledgerPath, dataset: plan.dataset))
        #expect(after.grantedEpsilon == 4.0)
        #expect(abs(after.usedEpsilon - first.privacy.epsilon) < 1e-9)
        // The quickstart needs 3.2 of 4.0 (and all of δ): a second run does not fit.
        var second = options
        second.outputDirectory = dir + "/b"
        #expect(throws: PipelineError.self) { try runner.run(file: Self.quickstart, options: second) }
        #expect(try runner.ledgerSnapshot(path: ledgerPath, dataset: plan.dataset) == after)
    }

    @Test("exact evaluation marks the report not private, and a secure run of the quickstart is private")
    func privacyFlags() throws {
        let dir = Fixtures.temporaryDirectory()
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let secure = try runner.run(file: Self.quickstart, options: RunOptions(outputDirectory: dir + "/q", ledgerPath: dir + "/l1.sqlite", epochsOverride: 1))
        #expect(secure.privacy.private)
        #expect(secure.metrics["accuracy"]?.private == true)
        #expect((secure.metrics["accuracy"]?.noiseScale ?? 0) > 0)
        let exact = try runner.run(file: Fixtures.pipelines + "/breast_cancer.yaml",
                                   options: RunOptions(outputDirectory: dir + "/e", ledgerPath: dir + "/l2.sqlite", epochsOverride: 1))
        #expect(!exact.privacy.private)
        #expect(exact.metrics["accuracy"]?.private == false)
        let html = try String(contentsOfFile: dir + "/e/report.html", encoding: .utf8)
        #expect(html.contains("NOT PRIVATE"))
    }
}
