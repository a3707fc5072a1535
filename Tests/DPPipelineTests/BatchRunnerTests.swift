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
        // No durations in the batch folder (issue 11: they depend weakly on the data); times to the hour.
        let text = try String(contentsOfFile: dir + "/out/summary.json", encoding: .utf8)
        #expect(!text.contains("\"seconds\"") && summary.finishedAt.hasSuffix(":00:00Z"))
    }

    @Test("a rerun skips completed jobs unless forced, and reruns failed jobs only with retryFailed")
    func rerunSkips() throws {
        let dir = Fixtures.temporaryDirectory()
        let inputs = files(["a", "b", "c"], in: dir)
        let first = ScriptedLauncher(exitCodes: ["b": 4, "c": 130])
        _ = try BatchRunner(outputDirectory: dir + "/out", concurrency: 1, ledger: nil, force: false, launcher: first)
            .run(BatchRunner(outputDirectory: dir + "/out", concurrency: 1, ledger: nil, force: false, launcher: first).jobs(for: inputs))
        #expect(JobStatus.read(folder: dir + "/out/c")?.state == .interrupted)
        // A plain rerun (and --force) reruns nothing that failed: a rerun would charge the budget again.
        let second = ScriptedLauncher(exitCodes: [:])
        let runner = BatchRunner(outputDirectory: dir + "/out", concurrency: 1, ledger: nil, force: false, launcher: second)
        #expect(runner.failedEarlier(runner.jobs(for: inputs)).map(\.name) == ["b", "c"])
        let results = try runner.run(runner.jobs(for: inputs))
        #expect(results.map(\.status) == [.skipped, .failed, .interrupted])
        #expect(results[1].message?.contains("--retry-failed") == true)
        #expect(second.launches.withLock { $0 }.isEmpty)
        let forced = ScriptedLauncher(exitCodes: [:])
        let forcedRunner = BatchRunner(outputDirectory: dir + "/out", concurrency: 1, ledger: nil, force: true, launcher: forced)
        _ = try forcedRunner.run(forcedRunner.jobs(for: inputs))
        #expect(forced.launches.withLock { $0 } == ["a"])
        // --retry-failed reruns the failed jobs only.
        let retry = ScriptedLauncher(exitCodes: [:])
        let retryRunner = BatchRunner(outputDirectory: dir + "/out", concurrency: 1, ledger: nil, force: false, retryFailed: true, launcher: retry)
        let retried = try retryRunner.run(retryRunner.jobs(for: inputs))
        #expect(retry.launches.withLock { $0 } == ["b", "c"])
        #expect(retried.map(\.status) == [.skipped, .completed, .completed])
        #expect(retryRunner.failedEarlier(retryRunner.jobs(for: inputs)).isEmpty)
    }

    @Test("pipeline files named ..yaml, ...yaml or .yaml get their own subfolder inside the batch folder")
    func dotFileNames() throws {
        let dir = Fixtures.temporaryDirectory()
        let runner = BatchRunner(outputDirectory: dir + "/out", concurrency: 1, ledger: nil, force: false,
                                 launcher: ScriptedLauncher(exitCodes: [:]))
        let jobs = runner.jobs(for: [dir + "/..yaml", dir + "/...yaml", dir + "/.yaml", dir + "/ok.yaml"])
        #expect(jobs.map(\.name) == ["job-1", "job-2", "job-3", "ok"])
        for job in jobs {
            let parent = (job.folder as NSString).deletingLastPathComponent
            #expect(parent == dir + "/out", "\(job.folder)")
            #expect(URL(fileURLWithPath: job.folder).standardizedFileURL.path.hasPrefix(dir + "/out/"))
        }
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
