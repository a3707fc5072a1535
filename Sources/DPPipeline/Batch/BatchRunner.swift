import Foundation
import Synchronization

/// One pipeline of a batch: its file and its own output folder.
public struct BatchJob: Sendable, Hashable {
    public var name: String
    public var file: String
    public var folder: String
}

/// What became of a job.
public struct BatchJobResult: Codable, Sendable {
    public var job: String
    public var file: String
    public var folder: String
    public var status: JobStatus.State
    public var exitCode: Int32?
    public var epsilon: Double?
    /// The first metric of the job's report, as "name=value".
    public var metric: String?
    /// Wall-clock seconds, for the operator's table only: not written to summary.json (durations depend weakly on
    /// the data; issue 11).
    public var seconds: Double = 0
    public var message: String?

    enum CodingKeys: String, CodingKey {
        case job, file, folder, status, epsilon, metric, message
        case exitCode = "exit_code"
    }
}

/// Runs one job to completion (in a child process for the CLI, so that a crash or kill affects one job only).
public protocol BatchJobLauncher: Sendable {
    /// Runs `job.file` with output in `job.folder` against the ledger at `ledger`; returns the exit code
    /// (0 ok, 1 invalid, 3 budget refused, other failure).
    func launch(_ job: BatchJob, ledger: String?) -> Int32
}

/// Runs a child `dpflow run FILE --output DIR [--ledger PATH]` per job, its output in `DIR/process.log`.
public struct ProcessJobLauncher: BatchJobLauncher {
    public var executable: String
    public var extraArguments: [String]

    public init(executable: String, extraArguments: [String] = []) {
        self.executable = executable
        self.extraArguments = extraArguments
    }

    public func launch(_ job: BatchJob, ledger: String?) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        var arguments = ["run", job.file, "--output", job.folder]
        if let ledger { arguments += ["--ledger", ledger] }
        process.arguments = arguments + extraArguments
        try? FileManager.default.createDirectory(atPath: job.folder, withIntermediateDirectories: true)
        let logPath = job.folder + "/process.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else { return 4 }
        defer { try? log.close() }
        process.standardOutput = log
        process.standardError = log
        do {
            try process.run()
        } catch {
            return 4
        }
        process.waitUntilExit()
        if process.terminationReason == .uncaughtSignal { return 128 + process.terminationStatus }
        return process.terminationStatus
    }
}

/// Runs a set of pipelines as jobs, up to `concurrency` at a time, all charging one ledger. A failing job does
/// not stop the others. On a rerun into the same output folder, completed jobs are skipped unless `force`, and
/// jobs that did not complete (failed, refused, invalid, interrupted, or killed while `running`) are **not** rerun
/// unless `retryFailed`: a rerun may charge the budget again (an earlier reservation is never refunded), so it is
/// the operator's explicit choice (`dpflow batch --retry-failed`, which first prints what the retries cost).
public struct BatchRunner: Sendable {
    public var outputDirectory: String
    public var concurrency: Int
    public var ledger: String?
    public var force: Bool
    public var retryFailed: Bool
    public var launcher: any BatchJobLauncher

    public init(outputDirectory: String, concurrency: Int, ledger: String?, force: Bool, retryFailed: Bool = false,
                launcher: any BatchJobLauncher) {
        self.outputDirectory = outputDirectory
        self.concurrency = max(1, concurrency)
        self.ledger = ledger
        self.force = force
        self.retryFailed = retryFailed
        self.launcher = launcher
    }

    /// Jobs that ran before without completing (their folder has a status other than `completed`): the jobs
    /// `retryFailed` reruns.
    public func failedEarlier(_ jobs: [BatchJob]) -> [BatchJob] {
        jobs.filter { job in
            guard let status = JobStatus.read(folder: job.folder) else {
                // A folder without a readable status but with files: a run that died before writing one.
                return !((try? FileManager.default.contentsOfDirectory(atPath: job.folder)) ?? []).isEmpty
            }
            return status.state != .completed && status.state != .skipped
        }
    }

    /// Pipeline files from arguments: files as given, folders expanded to their `*.yaml`/`*.yml` files (sorted).
    public static func pipelineFiles(_ arguments: [String]) throws -> [String] {
        var files: [String] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                throw PipelineError.unreadableFile(path: argument, reason: "no such file or folder")
            }
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: argument)
                    .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                files += names.map { (argument as NSString).appendingPathComponent($0) }
            } else {
                files.append(argument)
            }
        }
        return files
    }

    /// Jobs for files, named after the file (with `-2`, `-3` … for repeated names). A file name that is no
    /// usable folder name (`..yaml`, `...yaml`, control characters) gets `job-K` (K its position), so that no job
    /// writes outside its own subfolder of the batch folder.
    public func jobs(for files: [String]) -> [BatchJob] {
        var seen: [String: Int] = [:]
        return files.enumerated().map { index, file in
            var base = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            if PipelineSpec.folderNameProblem(base) != nil || base.hasPrefix(".") { base = "job-\(index + 1)" }
            let count = (seen[base] ?? 0) + 1
            seen[base] = count
            let name = count == 1 ? base : "\(base)-\(count)"
            return BatchJob(name: name, file: file, folder: (outputDirectory as NSString).appendingPathComponent(name))
        }
    }

    /// Runs every job and writes `summary.json` into the output folder.
    /// - Parameter onFinish: called (from worker threads, serialised) as each job ends.
    public func run(_ jobs: [BatchJob], onFinish: @Sendable (BatchJobResult) -> Void = { _ in }) throws -> [BatchJobResult] {
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let results = Mutex<[Int: BatchJobResult]>([:])
        let next = Mutex(0)
        let workers = min(concurrency, max(1, jobs.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let index: Int = next.withLock { i in
                    defer { i += 1 }
                    return i
                }
                guard index < jobs.count else { return }
                let result = runOne(jobs[index])
                results.withLock { r in
                    r[index] = result
                    onFinish(result)
                }
            }
        }
        let ordered = results.withLock { r in (0..<jobs.count).map { r[$0]! } }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let summary = BatchSummary(jobs: ordered, ledger: ledger, concurrency: concurrency, finishedAt: Timestamp.coarseNow())
        try encoder.encode(summary).write(to: URL(fileURLWithPath: outputDirectory + "/summary.json"), options: .atomic)
        return ordered
    }

    func runOne(_ job: BatchJob) -> BatchJobResult {
        let previous = JobStatus.read(folder: job.folder)
        if !force, let status = previous, status.state == .completed {
            return BatchJobResult(job: job.name, file: job.file, folder: job.folder, status: .skipped,
                                  exitCode: nil, epsilon: status.epsilon, metric: Self.firstMetric(folder: job.folder),
                                  seconds: 0, message: "completed earlier; --force reruns it")
        }
        if !retryFailed, failedEarlier([job]).count == 1 {
            // Not rerun: the result keeps the earlier failure (the batch still exits 1).
            let state = previous.map { $0.state == .running ? .failed : $0.state } ?? .failed
            return BatchJobResult(job: job.name, file: job.file, folder: job.folder, status: state,
                                  exitCode: previous?.exitCode, epsilon: nil, metric: nil, seconds: 0,
                                  message: "did not complete earlier (\(previous?.state.rawValue ?? "no status")); not rerun: "
                                      + "--retry-failed reruns it (and charges its budget again)")
        }
        let start = Date()
        let code = launcher.launch(job, ledger: ledger)
        let seconds = Date().timeIntervalSince(start)
        let status = JobStatus.read(folder: job.folder)
        let state: JobStatus.State
        switch code {
        case 0: state = .completed
        case 1: state = .invalid
        case 3: state = .refused
        case 130, 143: state = .interrupted
        default: state = .failed
        }
        if code != 0, status == nil || status?.state == .running {
            // The child never got to write its final status (crash, kill, or an error before the output folder):
            // leave the folder marked incomplete.
            let message = switch state {
            case .invalid: "invalid pipeline or data (exit 1); see process.log"
            case .refused: "budget refused (exit 3); no budget was charged and no data value was read"
            case .interrupted: "interrupted (exit \(code)); any reservation it made stays charged"
            default: "the run ended without completing (exit \(code)); any reservation it made stays charged"
            }
            try? JobStatus(state: state, pipeline: job.file, exitCode: code, message: message,
                           startedAt: status?.startedAt ?? Timestamp.coarseNow(), finishedAt: Timestamp.coarseNow())
                .write(folder: job.folder)
        }
        return BatchJobResult(job: job.name, file: job.file, folder: job.folder, status: state, exitCode: code,
                              epsilon: status?.epsilon, metric: Self.firstMetric(folder: job.folder),
                              seconds: seconds, message: status?.message)
    }

    static func firstMetric(folder: String) -> String? {
        guard let data = FileManager.default.contents(atPath: folder + "/report.json"),
              let report = try? JSONDecoder().decode(RunReport.self, from: data),
              let (name, metric) = report.metrics.sorted(by: { $0.key < $1.key }).first else { return nil }
        return "\(name)=\(String(format: "%.4f", metric.value))"
    }
}

/// `summary.json` of a batch.
public struct BatchSummary: Codable, Sendable {
    public var jobs: [BatchJobResult]
    public var ledger: String?
    public var concurrency: Int
    public var finishedAt: String

    enum CodingKeys: String, CodingKey {
        case jobs, ledger, concurrency
        case finishedAt = "finished_at"
    }

    /// The terminal table: job, status, ε spent, metric, time.
    public static func table(_ results: [BatchJobResult]) -> String {
        let header = ["job", "status", "ε spent", "metric", "time (s)"]
        let rows = results.map { r in
            [r.job, r.status.rawValue, r.epsilon.map { PrivacyFormat.string($0) } ?? "-", r.metric ?? "-",
             String(format: "%.1f", r.seconds)]
        }
        var widths = header.map(\.count)
        for row in rows { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line))
            .joined(separator: "\n")
    }
}
