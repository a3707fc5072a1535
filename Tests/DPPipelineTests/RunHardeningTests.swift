import Foundation
import PrivateDataFrame
import Testing
@testable import DPPipeline

/// Issue 12 classes 2, 4 and 5 and issue 11 items 4 and 9 at the level of `PipelineRunner`.
@Suite("Run hardening: ledger, rounding, output folders, timings", .serialized)
struct RunHardeningTests {
    let runner = try! PipelineRunner.standard(environment: TestEnvironment.make())

    func strict(_ out: String, _ ledger: String) -> RunOptions {
        RunOptions(outputDirectory: out, ledgerPath: ledger, createLedgerIfAbsent: false, seed: 1, epochsOverride: 1)
    }

    func refusal(_ body: () throws -> Void) -> PipelineError? {
        do { try body() } catch let e as PipelineError { return e } catch { Issue.record("unexpected \(error)") }
        return nil
    }

    // MARK: class 2

    @Test("a missing, empty or deleted ledger at a named path is refused with exit 3, never re-created or re-granted")
    func ledgerFailsClosed() throws {
        let dir = Fixtures.temporaryDirectory()
        let file = CommandLineTests.pipeline(dir, "p.yaml")
        let ledger = dir + "/l.sqlite"
        let missing = try #require(refusal { _ = try runner.run(file: file, options: strict(dir + "/a", ledger)) })
        #expect(missing.exitCode == 3 && missing.description.contains("ledger init"))
        #expect(!FileManager.default.fileExists(atPath: ledger))
        #expect(JobStatus.read(folder: dir + "/a")?.state == .refused)
        #expect(FileManager.default.createFile(atPath: ledger, contents: Data()))
        let empty = try #require(refusal { _ = try runner.run(file: file, options: strict(dir + "/b", ledger)) })
        #expect(empty.exitCode == 3 && empty.description.contains("empty"))
        #expect((try FileManager.default.attributesOfItem(atPath: ledger)[.size] as? NSNumber)?.intValue == 0)
        // A working ledger, used once, then deleted: the next run refuses (it cannot know what was spent).
        try FileManager.default.removeItem(atPath: ledger)
        try SQLiteBudgetLedger.create(path: ledger)
        _ = try runner.run(file: file, options: strict(dir + "/c", ledger))
        try FileManager.default.removeItem(atPath: ledger)
        let deleted = try #require(refusal { _ = try runner.run(file: file, options: strict(dir + "/d", ledger)) })
        #expect(deleted.exitCode == 3)
        #expect(!FileManager.default.fileExists(atPath: ledger))
    }

    @Test("renaming privacy.dataset or moving the data file is refused; appending to it under its own name shares the grant")
    func sameDataNeverGetsAFreshGrant() throws {
        let dir = Fixtures.temporaryDirectory()
        let ledger = dir + "/l.sqlite"
        try SQLiteBudgetLedger.create(path: ledger)
        let csv = dir + "/bc.csv"
        try FileManager.default.copyItem(atPath: Fixtures.data + "/breast_cancer.csv", toPath: csv)
        func write(_ name: String, dataset: String, csv path: String) throws -> String {
            let text = Fixtures.validBreastCancer.replacingOccurrences(of: "data/breast_cancer.csv", with: path)
                .replacingOccurrences(of: "dataset: test-bc", with: "dataset: \(dataset)")
            try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
            return dir + "/" + name
        }
        _ = try runner.run(file: write("a.yaml", dataset: "bc", csv: csv), options: strict(dir + "/a", ledger))
        let renamed = try #require(refusal { _ = try runner.run(file: write("b.yaml", dataset: "bc-renamed", csv: csv), options: strict(dir + "/b", ledger)) })
        #expect(renamed.exitCode == 3 && renamed.description.contains("already charged as data set 'bc'"))
        // plan says the same before anything runs.
        let renamedState = runner.ledgerState(location: ledger, mayCreate: false, dataset: "bc-renamed", dataFile: csv)
        #expect(renamedState.problem?.contains("already charged as data set 'bc'") == true)
        let moved = dir + "/moved.csv"
        try FileManager.default.copyItem(atPath: csv, toPath: moved)
        let movedError = try #require(refusal { _ = try runner.run(file: write("c.yaml", dataset: "bc-moved", csv: moved), options: strict(dir + "/c", ledger)) })
        #expect(movedError.exitCode == 3)
        // One row appended under a new name: refused by the path; under its own name: accepted, same grant.
        let handle = try #require(FileHandle(forWritingAtPath: csv))
        _ = try handle.seekToEnd()
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        try handle.write(contentsOf: Data((lines[1] + "\n").utf8))
        try handle.close()
        #expect(refusal { _ = try runner.run(file: write("d.yaml", dataset: "bc-grown", csv: csv), options: strict(dir + "/d", ledger)) }?.exitCode == 3)
        _ = try runner.run(file: write("e.yaml", dataset: "bc", csv: csv), options: strict(dir + "/e", ledger))
        let books = try SQLiteBudgetLedger(path: ledger)
        #expect(try books.budgets().map(\.dataset) == ["bc"])
        #expect(try books.spends().count == 2)
    }

    @Test("a pipeline without privacy.dataset gets a keyed id, never the SHA-256 of the data, in plan, report and ledger")
    func keyedDatasetID() throws {
        let dir = Fixtures.temporaryDirectory()
        let ledger = dir + "/l.sqlite"
        let file = CommandLineTests.pipeline(dir, "p.yaml", replacing: "  dataset: test-bc\n", with: "")
        #expect(refusal { _ = try runner.plan(file: file) } != nil, "no ledger: nothing to key the id with")
        try SQLiteBudgetLedger.create(path: ledger)
        let (_, plan) = try runner.plan(file: file, ledgerPath: ledger)
        #expect(plan.dataset.hasPrefix("keyed:"))
        let report = try runner.run(file: file, options: strict(dir + "/out", ledger))
        #expect(report.privacy.dataset == plan.dataset)
        let sha = try BudgetLedgerTestSupport.sha256Hex(Fixtures.data + "/breast_cancer.csv")
        for name in ["report.json", "report.html", "log.txt", "status.json"] {
            let text = try String(contentsOfFile: dir + "/out/" + name, encoding: .utf8)
            #expect(!text.contains(sha.prefix(16)), "\(name) holds the plain hash")
            #expect(!text.lowercased().contains("sha256:"))
        }
        let ledgerBytes = try Data(contentsOf: URL(fileURLWithPath: ledger))
        #expect(ledgerBytes.range(of: Data(sha.prefix(16).utf8)) == nil)
    }

    // MARK: class 4

    @Test("with a budget δ of 1e-6 or 1e-7, plan says it fits and the run is accepted (several ε)")
    func deltaRounding() throws {
        for (delta, epsilon) in [("1e-6", "10.0"), ("1e-7", "10.0"), ("1e-7", "7.3"), ("1e-6", "12.5")] {
            let dir = Fixtures.temporaryDirectory()
            let ledger = dir + "/l.sqlite"
            try SQLiteBudgetLedger.create(path: ledger)
            let file = CommandLineTests.pipeline(dir, "p.yaml", replacing: "budget: {epsilon: 10.0, delta: 1e-4}",
                                                 with: "budget: {epsilon: \(epsilon), delta: \(delta)}")
            let (_, plan) = try runner.plan(file: file, epochsOverride: 1, ledgerPath: ledger)
            #expect(plan.totalDelta == Double(delta)!)
            let state = runner.ledgerState(location: ledger, mayCreate: false, dataset: plan.dataset, dataFile: nil)
            #expect(PlanRenderer.fits(plan, ledgerPath: ledger, ledger: state.snapshot, ledgerProblem: state.problem).fits)
            let report = try runner.run(file: file, options: strict(dir + "/out", ledger))
            #expect(report.privacy.delta == Double(delta)!)
            // The δ is now used up exactly: plan and run agree that another run does not fit.
            let after = runner.ledgerState(location: ledger, mayCreate: false, dataset: plan.dataset, dataFile: nil)
            #expect(!PlanRenderer.fits(plan, ledgerPath: ledger, ledger: after.snapshot).fits)
            let refused = try #require(refusal { _ = try runner.run(file: file, options: strict(dir + "/again", ledger)) })
            #expect(refused.exitCode == 3)
            #expect(!refused.description.contains("..") && refused.description.contains("No budget was charged"))
        }
    }

    // MARK: class 5

    @Test("pipeline names with .., separators, newline, NUL or control characters are validation errors at file:line:col")
    func pipelineNames() throws {
        for (yamlName, what) in [("\"..\"", "folder name"), ("\".\"", "folder name"), ("a/b", "separator"), ("\"a\\\\b\"", "separator"),
                                 ("\"a\\nb\"", "control"), ("\"a\\0b\"", "control"), ("\"a\\tb\"", "control"), ("\"\"", "empty")] {
            let dir = Fixtures.temporaryDirectory()
            let file = CommandLineTests.pipeline(dir, "p.yaml", replacing: "name: test", with: "name: \(yamlName)")
            let problems = Pipeline.diagnose(file: file, environment: TestEnvironment.make())
            #expect(problems.contains { $0.hasPrefix("\(file):1:7: error: pipeline name") && $0.contains(what) }, "\(yamlName): \(problems)")
        }
    }

    @Test("exports named report/status/log and a release named like a metric are refused at validation")
    func reservedNames() throws {
        let dir = Fixtures.temporaryDirectory()
        for name in ["report", "status", "log"] {
            let file = CommandLineTests.pipeline(dir, "\(name).yaml", replacing: "export: {model: model}", with: "export: {model: \(name)}")
            let problems = Pipeline.diagnose(file: file, environment: TestEnvironment.make())
            #expect(problems.contains { $0.contains("export name '\(name)' is reserved") }, "\(problems)")
        }
        let file = CommandLineTests.pipeline(dir, "r.yaml", replacing: "  - export: {model: model}",
                                             with: "  - release: {statistic: count, epsilon: 0.1, name: accuracy}\n  - export: {model: model}")
        let problems = Pipeline.diagnose(file: file, environment: TestEnvironment.make())
        #expect(problems.contains { $0.contains("already has a value named 'accuracy'") }, "\(problems)")
    }

    @Test("a value named like a histogram bin ('h[0]' beside histogram 'h') is refused at validation (it replaced the bin in the report)")
    func histogramBinNames() throws {
        let dir = Fixtures.temporaryDirectory()
        let file = CommandLineTests.pipeline(dir, "h.yaml", replacing: "  - export: {model: model}",
                                             with: "  - release: {statistic: histogram, column: target, epsilon: 0.1, name: h}\n"
                                                 + "  - release: {statistic: count, epsilon: 0.1, name: 'h[0]'}\n  - export: {model: model}")
        let problems = Pipeline.diagnose(file: file, environment: TestEnvironment.make())
        #expect(problems.contains { $0.contains("the histogram 'h' (line 26) reports its bins as 'h[value]'") }, "\(problems)")
        // Names that merely share the prefix without the bracket stay accepted.
        let fine = CommandLineTests.pipeline(dir, "f.yaml", replacing: "  - export: {model: model}",
                                             with: "  - release: {statistic: histogram, column: target, epsilon: 0.1, name: h}\n"
                                                 + "  - release: {statistic: count, epsilon: 0.1, name: h0}\n  - export: {model: model}")
        #expect(Pipeline.diagnose(file: fine, environment: TestEnvironment.make()).isEmpty)
    }

    @Test("a reused folder is cleared of the previous run's files; a failed run leaves no report; a foreign folder is refused")
    func outputFolders() throws {
        let dir = Fixtures.temporaryDirectory()
        let ledger = dir + "/l.sqlite"
        try SQLiteBudgetLedger.create(path: ledger)
        let file = CommandLineTests.pipeline(dir, "p.yaml")
        let out = dir + "/out"
        _ = try runner.run(file: file, options: strict(out, ledger))
        for name in ["report.html", "report.json", "model.json"] { #expect(FileManager.default.fileExists(atPath: out + "/" + name)) }
        // Too expensive now: refused, in the same folder.
        let expensive = CommandLineTests.pipeline(dir, "x.yaml", replacing: "noise_multiplier: 1.1", with: "noise_multiplier: 0.3")
        let e = try #require(refusal { _ = try runner.run(file: expensive, options: RunOptions(outputDirectory: out, ledgerPath: ledger, createLedgerIfAbsent: false)) })
        #expect(e.exitCode == 3)
        for name in ["report.html", "report.json", "model.json"] {
            #expect(!FileManager.default.fileExists(atPath: out + "/" + name), "\(name) of the previous run is still there")
        }
        let status = try #require(JobStatus.read(folder: out))
        #expect(status.state == .refused && status.exitCode == 3)
        #expect(try String(contentsOfFile: out + "/log.txt", encoding: .utf8).contains("budget refused"))
        // A completed run, then an invalid pipeline into the same folder: the earlier report and model must not stay
        // behind a `completed` status while this run exits 1.
        let again = dir + "/again"
        _ = try runner.run(file: file, options: strict(again, ledger))
        #expect(JobStatus.read(folder: again)?.state == .completed)
        let invalid = CommandLineTests.pipeline(dir, "i.yaml", replacing: "epochs: 2", with: "epochs: 0")
        let i = try #require(refusal { _ = try runner.run(file: invalid, options: strict(again, ledger)) })
        #expect(i.exitCode == 1)
        for name in ["report.html", "report.json", "model.json", "log.txt"] {
            #expect(!FileManager.default.fileExists(atPath: again + "/" + name), "\(name) of the previous run is still there")
        }
        #expect(JobStatus.read(folder: again)?.state == .invalid)
        // A folder dpflow did not write is never emptied.
        let foreign = dir + "/foreign"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: foreign + "/thesis.tex", contents: Data("x".utf8)))
        let f = try #require(refusal { _ = try runner.run(file: file, options: strict(foreign, ledger)) })
        #expect(f.exitCode == 1 && f.description.contains(foreign))
        #expect(FileManager.default.fileExists(atPath: foreign + "/thesis.tex"))
        // An output path that is a file: the error names it and nothing says `running`.
        #expect(FileManager.default.createFile(atPath: dir + "/plain", contents: Data()))
        let p = try #require(refusal { _ = try runner.run(file: file, options: strict(dir + "/plain", ledger)) })
        #expect(p.description.contains(dir + "/plain"))
    }

    @Test("an output file that cannot be written fails the run with the file named; status is failed, not running; no report")
    func unwritableOutput() throws {
        let dir = Fixtures.temporaryDirectory()
        let ledger = dir + "/l.sqlite"
        try SQLiteBudgetLedger.create(path: ledger)
        let file = CommandLineTests.pipeline(dir, "p.yaml")
        let out = dir + "/out"
        _ = try runner.run(file: file, options: strict(out, ledger))
        // model.json replaced by a folder dpflow did not write (it is not removed): the export cannot write it.
        try FileManager.default.removeItem(atPath: out + "/model.json")
        try FileManager.default.createDirectory(atPath: out + "/model.json/keep", withIntermediateDirectories: true)
        let books = try SQLiteBudgetLedger(path: ledger)
        let before = try books.budget(dataset: "test-bc")
        let e = try #require(refusal { _ = try runner.run(file: file, options: strict(out, ledger)) })
        #expect(e.exitCode == 4 && e.description.contains("model.json"), "\(e)")
        let status = try #require(JobStatus.read(folder: out))
        #expect(status.state == .failed && status.message?.contains("model.json") == true)
        #expect(!FileManager.default.fileExists(atPath: out + "/report.html") && !FileManager.default.fileExists(atPath: out + "/report.json"))
        // The reservation of the failed run stays charged.
        #expect(try books.budget(dataset: "test-bc").reservedEpsilon > before.reservedEpsilon)
    }

    // MARK: issue 11 item 9

    @Test("report.json, report.html and log.txt carry no timings; the operator's events do")
    func noTimings() throws {
        let dir = Fixtures.temporaryDirectory()
        let ledger = dir + "/l.sqlite"
        try SQLiteBudgetLedger.create(path: ledger)
        let file = CommandLineTests.pipeline(dir, "p.yaml")
        let events = EventSink()
        var options = strict(dir + "/out", ledger)
        options.events = { events.append($0) }
        let report = try runner.run(file: file, options: options)
        #expect(report.timings.isEmpty)
        #expect(report.stages.allSatisfy { $0.seconds == nil })
        let json = try String(contentsOfFile: dir + "/out/report.json", encoding: .utf8)
        #expect(!json.contains("\"seconds\""))
        let log = try String(contentsOfFile: dir + "/out/log.txt", encoding: .utf8)
        #expect(!log.isEmpty && log.range(of: #"\d+\.\d+ ?s\b"#, options: .regularExpression) == nil, "\(log)")
        let html = try String(contentsOfFile: dir + "/out/report.html", encoding: .utf8)
        #expect(!html.contains("<th>seconds</th>") && !html.contains("timings"))
        #expect(events.lines.contains { $0.contains(" took ") && $0.hasSuffix(" s") })
        // Start and end times only to the hour, in the report and in status.json.
        let status = try #require(JobStatus.read(folder: dir + "/out"))
        for t in [report.startedAt, report.finishedAt, status.startedAt, status.finishedAt ?? ""] {
            #expect(t.hasSuffix(":00:00Z"), "\(t)")
        }
    }
}

final class EventSink: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ event: RunEvent) {
        if case .log(let line) = event { lock.withLock { stored.append(line) } }
    }
    var lines: [String] { lock.withLock { stored } }
}

enum BudgetLedgerTestSupport {
    /// `sha256sum FILE`'s hex digest.
    static func sha256Hex(_ path: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = [path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }
}
