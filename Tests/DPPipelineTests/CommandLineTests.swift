import Foundation
import Testing
@testable import DPPipeline

/// End-to-end tests of the built `dpflow` binary (exit codes, messages, output folders, batch jobs).
@Suite("dpflow command line", .serialized)
struct CommandLineTests {
    /// The `dpflow` executable next to the test bundle (`swift build --build-tests` builds it).
    static let binary: String = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = url.appendingPathComponent("dpflow").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            url.deleteLastPathComponent()
        }
        return Fixtures.repositoryRoot + "/.build/debug/dpflow"
    }()

    struct Result { var code: Int32; var stdout: String; var stderr: String }

    static func dpflow(_ arguments: [String], in directory: String? = nil, environment: [String: String]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(code: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Creates a ledger with `dpflow ledger init` (explicit ledger paths are never created implicitly).
    @discardableResult
    static func initLedger(_ path: String) throws -> String {
        let r = try dpflow(["ledger", "init", "--ledger", path])
        #expect(r.code == 0, "\(r.stderr)")
        return path
    }

    /// Writes a copy of the valid fixture with `old` replaced into `dir` (data paths made absolute).
    static func pipeline(_ dir: String, _ name: String, replacing old: String = "", with new: String = "") -> String {
        var text = Fixtures.validBreastCancer.replacingOccurrences(of: "data/breast_cancer.csv", with: Fixtures.data + "/breast_cancer.csv")
        if !old.isEmpty { text = text.replacingOccurrences(of: old, with: new) }
        let path = dir + "/" + name
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        return path
    }

    @Test("validate prints every problem as file:line:column and exits 1; a valid file exits 0")
    func validate() throws {
        let dir = Fixtures.temporaryDirectory()
        let bad = Self.pipeline(dir, "bad.yaml", replacing: "- dense: {units: 8", with: "- dens: {units: 8")
        let good = Self.pipeline(dir, "good.yaml")
        let r = try Self.dpflow(["validate", good, bad])
        #expect(r.code == 1)
        #expect(r.stdout.contains("\(good): ok"))
        #expect(r.stderr.contains("\(bad):16:11: error: unknown layer 'dens'. Did you mean 'dense'?"))
    }

    @Test("run writes the output folder and exits 0; plan shows the cost; a refused run exits 3")
    func runAndRefuse() throws {
        let dir = Fixtures.temporaryDirectory()
        let file = Self.pipeline(dir, "p.yaml")
        try Self.initLedger(dir + "/l.sqlite")
        let plan = try Self.dpflow(["plan", file, "--ledger", dir + "/l.sqlite"])
        #expect(plan.code == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("FITS"))
        let run = try Self.dpflow(["run", file, "--output", dir + "/out", "--ledger", dir + "/l.sqlite", "--seed", "3", "--epochs", "1"])
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stdout.contains("NOT PRIVATE"))  // seeded
        #expect(run.stdout.contains("report: \(dir)/out/report.html"))
        #expect(!run.stderr.isEmpty)  // plain log lines when not on a terminal
        // The fixture's grant (ε 10, δ 1e-4) allows 10 runs by δ but not by ε at full epochs.
        let expensive = Self.pipeline(dir, "x.yaml", replacing: "noise_multiplier: 1.1", with: "noise_multiplier: 0.3")
        let refused = try Self.dpflow(["run", expensive, "--output", dir + "/out2", "--ledger", dir + "/l.sqlite"])
        #expect(refused.code == 3)
        #expect(refused.stderr.contains("budget refused"))
    }

    @Test("batch runs every job with one shared ledger, a failing job does not stop the others, reruns skip")
    func batch() throws {
        let dir = Fixtures.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/jobs", withIntermediateDirectories: true)
        _ = Self.pipeline(dir + "/jobs", "a.yaml")
        _ = Self.pipeline(dir + "/jobs", "b.yaml", replacing: "label: target", with: "label: nope")
        _ = Self.pipeline(dir + "/jobs", "c.yaml")
        try Self.initLedger(dir + "/l.sqlite")
        let first = try Self.dpflow(["batch", dir + "/jobs", "--output", dir + "/out", "--jobs", "2",
                                     "--ledger", dir + "/l.sqlite", "--epochs", "1"])
        #expect(first.code == 1)
        let summary = try JSONDecoder().decode(BatchSummary.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/out/summary.json")))
        #expect(summary.jobs.map(\.job) == ["a", "b", "c"])
        #expect(summary.jobs.map(\.status) == [.completed, .invalid, .completed])
        #expect(first.stdout.contains("job"))
        // Both completed jobs charged the one ledger.
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let snapshot = try #require(try runner.ledgerSnapshot(path: dir + "/l.sqlite", dataset: "test-bc"))
        let spent = summary.jobs.compactMap(\.epsilon).reduce(0, +)
        #expect(abs(snapshot.usedEpsilon - spent) < 1e-9)
        let second = try Self.dpflow(["batch", dir + "/jobs", "--output", dir + "/out", "--ledger", dir + "/l.sqlite", "--epochs", "1"])
        let again = try JSONDecoder().decode(BatchSummary.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/out/summary.json")))
        #expect(again.jobs.map(\.status) == [.skipped, .invalid, .skipped])
        #expect(second.code == 1)
    }

    @Test("a run killed during training leaves its reservation charged and its folder marked running")
    func killedRun() throws {
        let dir = Fixtures.temporaryDirectory()
        let file = Self.pipeline(dir, "k.yaml", replacing: "noise_multiplier: 1.1", with: "noise_multiplier: 50")
        try Self.initLedger(dir + "/l.sqlite")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["run", file, "--output", dir + "/out", "--ledger", dir + "/l.sqlite", "--epochs", "100000", "--quiet"]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait until the reservation is recorded (the log says so), then kill.
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        var reserved: LedgerSnapshot?
        for _ in 0..<200 {
            Thread.sleep(forTimeInterval: 0.05)
            if let s = try? runner.ledgerSnapshot(path: dir + "/l.sqlite", dataset: "test-bc"), s.usedEpsilon > 0 { reserved = s; break }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let snapshot = try #require(reserved)
        #expect(JobStatus.read(folder: dir + "/out")?.state == .running)
        #expect(try runner.ledgerSnapshot(path: dir + "/l.sqlite", dataset: "test-bc") == snapshot)
        #expect(snapshot.usedEpsilon > 0)
    }
}
