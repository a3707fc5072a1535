import Foundation
import Synchronization
import Testing
@testable import DPPipeline

/// A launcher that "runs" jobs by writing what a real run writes, with exit codes chosen per job name.
final class ScriptedLauncher: BatchJobLauncher {
    let exitCodes: [String: Int32]
    init(exitCodes: [String: Int32]) { self.exitCodes = exitCodes }
    let launches = Mutex<[String]>([])

    func launch(_ job: BatchJob, ledger: String?) -> Int32 {
        launches.withLock { $0.append(job.name) }
        let code = exitCodes[job.name] ?? 0
        try? JobStatus(state: .running, pipeline: job.file).write(folder: job.folder)
        if code == 0 {
            try? JobStatus(state: .completed, pipeline: job.file, exitCode: 0, epsilon: 1.5).write(folder: job.folder)
        }
        // Non-zero codes leave "running", as a crashed or killed child would.
        return code
    }
}

@Suite("Batch runner")
struct BatchRunnerTests {
    func files(_ names: [String], in dir: String) -> [String] {
        names.map { name in
            let path = "\(dir)/\(name).yaml"
            #expect(FileManager.default.createFile(atPath: path, contents: Data("name: \(name)\n".utf8)))
            return path
        }
    }

    @Test("a failing job does not stop the others; its folder is marked incomplete; summary.json lists all")
    func failingJob() throws {
        let dir = Fixtures.temporaryDirectory()
        let inputs = files(["a", "b", "c", "d"], in: dir)
        let launcher = ScriptedLauncher(exitCodes: ["b": 4, "c": 3])
        let runner = BatchRunner(outputDirectory: dir + "/out", concurrency: 2, ledger: nil, force: false, launcher: launcher)
        let results = try runner.run(runner.jobs(for: inputs))
        #expect(results.map(\.status) == [.completed, .failed, .refused, .completed])
        #expect(Set(launcher.launches.withLock { $0 }) == ["a", "b", "c", "d"])
        let failed = try #require(JobStatus.read(folder: dir + "/out/b"))
        #expect(failed.state == .failed)
        #expect(failed.message?.contains("stays charged") == true)
        let summary = try JSONDecoder().decode(BatchSummary.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/out/summary.json")))
        #expect(summary.jobs.map(\.job) == ["a", "b", "c", "d"])
    }

    @Test("a rerun skips completed jobs unless forced")
    func rerunSkips() throws {
        let dir = Fixtures.temporaryDirectory()
        let inputs = files(["a", "b"], in: dir)
        let first = ScriptedLauncher(exitCodes: ["b": 4])
        _ = try BatchRunner(outputDirectory: dir + "/out", concurrency: 1, ledger: nil, force: false, launcher: first)
            .run(BatchRunner(outputDirectory: dir + "/out", concurrency: 1, ledger: nil, force: false, launcher: first).jobs(for: inputs))
        let second = ScriptedLauncher(exitCodes: [:])
        let runner = BatchRunner(outputDirectory: dir + "/out", concurrency: 1, ledger: nil, force: false, launcher: second)
        let results = try runner.run(runner.jobs(for: inputs))
        #expect(results.map(\.status) == [.skipped, .completed])
        #expect(second.launches.withLock { $0 } == ["b"])
        let forced = ScriptedLauncher(exitCodes: [:])
        let forcedRunner = BatchRunner(outputDirectory: dir + "/out", concurrency: 1, ledger: nil, force: true, launcher: forced)
        _ = try forcedRunner.run(forcedRunner.jobs(for: inputs))
        #expect(forced.launches.withLock { $0 } == ["a", "b"])
    }

    @Test("folders expand to their pipeline files; repeated names get suffixes")
    func jobNames() throws {
        let dir = Fixtures.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        _ = files(["x", "y"], in: dir)
        _ = files(["x"], in: dir + "/sub")
        #expect(FileManager.default.createFile(atPath: dir + "/notes.txt", contents: Data()))
        let found = try BatchRunner.pipelineFiles([dir, dir + "/sub/x.yaml"])
        #expect(found.map { ($0 as NSString).lastPathComponent } == ["x.yaml", "y.yaml", "x.yaml"])
        let runner = BatchRunner(outputDirectory: dir + "/out", concurrency: 1, ledger: nil, force: false,
                                 launcher: ScriptedLauncher(exitCodes: [:]))
        #expect(runner.jobs(for: found).map(\.name) == ["x", "y", "x-2"])
    }
}
