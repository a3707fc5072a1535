import Foundation
import PrivateDataFrame
import Testing
@testable import DPPipeline

/// Issue 12 classes 2, 5 and 7 and batch retries, through the built `dpflow` binary.
@Suite("dpflow command line: ledger location, signals, exit codes, batch retries", .serialized)
struct CLIHardeningTests {
    static func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: LedgerLocation.environmentVariable)
        for (k, v) in extra { env[k] = v }
        return env
    }

    @Test("argument errors exit 2; a negative number gets a clear message; a broken ledger exits 3")
    func exitCodes() throws {
        let dir = Fixtures.temporaryDirectory()
        let file = CommandLineTests.pipeline(dir, "p.yaml")
        let unknown = try CommandLineTests.dpflow(["run", file, "--no-such-option"])
        #expect(unknown.code == 2, "\(unknown.stderr)")
        #expect(try CommandLineTests.dpflow(["run"]).code == 2)
        let negative = try CommandLineTests.dpflow(["run", file, "--epochs", "-5", "--ledger", dir + "/l.sqlite"])
        #expect(negative.code == 2)
        #expect(negative.stderr.contains("negative") && !negative.stderr.contains("Missing value"), "\(negative.stderr)")
        #expect(try CommandLineTests.dpflow(["run", file, "--epochs", "0", "--ledger", dir + "/l.sqlite"]).code == 2)
        #expect(try CommandLineTests.dpflow(["budget", "--noise-multiplier", "-1"]).code == 2)
        #expect(try CommandLineTests.dpflow(["--help"]).code == 0)
        // Ledger problems: exit 3 and the path in the message, never a new ledger.
        let plan = try CommandLineTests.dpflow(["plan", file, "--ledger", dir + "/none.sqlite"])
        #expect(plan.code == 3 && plan.stdout.contains("dpflow ledger init"), "\(plan.stdout)")
        let show = try CommandLineTests.dpflow(["ledger", "show", "--ledger", dir + "/none.sqlite"])
        #expect(show.code == 3 && show.stderr.contains(dir + "/none.sqlite"))
        #expect(FileManager.default.createFile(atPath: dir + "/empty.sqlite", contents: Data()))
        let run = try CommandLineTests.dpflow(["run", file, "--output", dir + "/out", "--ledger", dir + "/empty.sqlite"])
        #expect(run.code == 3 && run.stderr.contains("empty"))
        #expect(JobStatus.read(folder: dir + "/out")?.state == .refused)
        #expect(!FileManager.default.fileExists(atPath: dir + "/none.sqlite"))
    }

    @Test("the default ledger is per user, the same from any working directory; created on first use only; DPFLOW_LEDGER overrides")
    func defaultLocation() throws {
        let dir = Fixtures.temporaryDirectory()
        let env = Self.environment(["XDG_DATA_HOME": dir + "/xdg", "HOME": dir + "/home"])
        let file = CommandLineTests.pipeline(dir, "p.yaml")
        let ledger = dir + "/xdg/dpflow/ledger.sqlite"
        try FileManager.default.createDirectory(atPath: dir + "/cwd1", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/cwd2", withIntermediateDirectories: true)
        let first = try CommandLineTests.dpflow(["run", file, "--output", dir + "/o1", "--seed", "1", "--epochs", "1", "--quiet"],
                                                in: dir + "/cwd1", environment: env)
        #expect(first.code == 0, "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: ledger))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/cwd1").isEmpty)
        // Another working directory sees the same books.
        let plan = try CommandLineTests.dpflow(["plan", file, "--epochs", "1"], in: dir + "/cwd2", environment: env)
        #expect(plan.stdout.contains("Ledger \(ledger): granted ε = "), "\(plan.stdout)")
        // Deleted: refused, not re-created, not re-granted.
        try FileManager.default.removeItem(atPath: ledger)
        let again = try CommandLineTests.dpflow(["run", file, "--output", dir + "/o2", "--epochs", "1", "--quiet"], in: dir + "/cwd2", environment: env)
        #expect(again.code == 3, "\(again.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ledger))
        // DPFLOW_LEDGER names an explicit ledger: it must exist.
        let envLedger = Self.environment(["XDG_DATA_HOME": dir + "/xdg2", "DPFLOW_LEDGER": dir + "/env.sqlite"])
        let explicit = try CommandLineTests.dpflow(["run", file, "--output", dir + "/o3", "--epochs", "1", "--quiet"], environment: envLedger)
        #expect(explicit.code == 3 && explicit.stderr.contains(dir + "/env.sqlite"))
        #expect(try CommandLineTests.dpflow(["ledger", "init"], environment: envLedger).code == 0)
        #expect(try CommandLineTests.dpflow(["ledger", "init"], environment: envLedger).code == 3, "init never overwrites")
        #expect(try CommandLineTests.dpflow(["run", file, "--output", dir + "/o3", "--seed", "1", "--epochs", "1", "--quiet"],
                                            environment: envLedger).code == 0)
        #expect(!FileManager.default.fileExists(atPath: dir + "/xdg2"))
    }

    @Test("SIGINT and SIGTERM during a run: status interrupted, log flushed, reservation kept, exit 130 / 143", arguments: [SIGINT, SIGTERM])
    func interrupted(signalNumber: Int32) throws {
        let dir = Fixtures.temporaryDirectory()
        let file = CommandLineTests.pipeline(dir, "k.yaml", replacing: "noise_multiplier: 1.1", with: "noise_multiplier: 50")
        let ledger = try CommandLineTests.initLedger(dir + "/l.sqlite")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLineTests.binary)
        process.arguments = ["run", file, "--output", dir + "/out", "--ledger", ledger, "--epochs", "100000", "--quiet"]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        var reserved: LedgerSnapshot?
        for _ in 0..<400 {
            Thread.sleep(forTimeInterval: 0.05)
            if let s = try? runner.ledgerSnapshot(path: ledger, dataset: "test-bc"), s.usedEpsilon > 0 { reserved = s; break }
        }
        Thread.sleep(forTimeInterval: 0.2)
        kill(process.processIdentifier, signalNumber)
        process.waitUntilExit()
        let snapshot = try #require(reserved)
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 128 + signalNumber)
        let status = try #require(JobStatus.read(folder: dir + "/out"))
        #expect(status.state == .interrupted && status.exitCode == 128 + signalNumber)
        let log = try String(contentsOfFile: dir + "/out/log.txt", encoding: .utf8)
        #expect(log.contains("ledger: reserved") && log.contains("interrupted by SIG"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/report.html"))
        #expect(try runner.ledgerSnapshot(path: ledger, dataset: "test-bc") == snapshot)
    }

    @Test("batch reruns failed jobs only with --retry-failed, after printing what they cost; completed jobs stay skipped")
    func retryFailed() throws {
        let dir = Fixtures.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/jobs", withIntermediateDirectories: true)
        _ = CommandLineTests.pipeline(dir + "/jobs", "a.yaml")
        // Refused at first (budget too small for it), then the operator raises the grant.
        _ = CommandLineTests.pipeline(dir + "/jobs", "b.yaml", replacing: "noise_multiplier: 1.1", with: "noise_multiplier: 0.3")
        let ledger = try CommandLineTests.initLedger(dir + "/l.sqlite")
        let first = try CommandLineTests.dpflow(["batch", dir + "/jobs", "--output", dir + "/out", "--ledger", ledger, "--epochs", "1"])
        #expect(first.code == 1)
        let s1 = try JSONDecoder().decode(BatchSummary.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/out/summary.json")))
        #expect(s1.jobs.map(\.status) == [.completed, .refused], "\(first.stderr)")
        #expect(try CommandLineTests.dpflow(["ledger", "grant", "test-bc", "--epsilon", "1000", "--delta", "1e-3", "--ledger", ledger]).code == 0)
        let plain = try CommandLineTests.dpflow(["batch", dir + "/jobs", "--output", dir + "/out", "--ledger", ledger, "--epochs", "1"])
        let s2 = try JSONDecoder().decode(BatchSummary.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/out/summary.json")))
        #expect(s2.jobs.map(\.status) == [.skipped, .refused])
        #expect(plain.code == 1)
        let retried = try CommandLineTests.dpflow(["batch", dir + "/jobs", "--output", dir + "/out", "--ledger", ledger, "--epochs", "1",
                                                   "--retry-failed"])
        #expect(retried.code == 0, "\(retried.stderr)")
        #expect(retried.stderr.contains("--retry-failed reruns 1 job(s)") && retried.stderr.contains("b: ε = "), "\(retried.stderr)")
        let s3 = try JSONDecoder().decode(BatchSummary.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/out/summary.json")))
        #expect(s3.jobs.map(\.status) == [.skipped, .completed])
    }
}
