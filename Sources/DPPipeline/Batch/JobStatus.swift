import Foundation

/// The state of one run's output folder, kept in `status.json` so that a killed run is recognisable:
/// the runner writes `running` before it reserves budget and `completed` (or a failure) at the end. A folder
/// still saying `running` after its process is gone is incomplete; its reservation stays charged.
public struct JobStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case running, completed, invalid, refused, failed, skipped
        /// Stopped by SIGINT/SIGTERM (exit 130/143); its reservation stays charged.
        case interrupted
    }

    public var state: State
    public var pipeline: String
    public var exitCode: Int32?
    public var epsilon: Double?
    public var message: String?
    public var startedAt: String
    public var finishedAt: String?
    /// Files the run wrote into the folder (so that a rerun in the same folder can clear them).
    public var outputs: [String]?

    enum CodingKeys: String, CodingKey {
        case state = "status", pipeline, epsilon, message, outputs
        case exitCode = "exit_code"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    public static let fileName = "status.json"

    public init(state: State, pipeline: String, exitCode: Int32? = nil, epsilon: Double? = nil, message: String? = nil,
                startedAt: String = Timestamp.now(), finishedAt: String? = nil, outputs: [String]? = nil) {
        self.outputs = outputs
        self.state = state
        self.pipeline = pipeline
        self.exitCode = exitCode
        self.epsilon = epsilon
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    public static func read(folder: String) -> JobStatus? {
        guard let data = FileManager.default.contents(atPath: folder + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(JobStatus.self, from: data)
    }

    public func write(folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try encoder.encode(self).write(to: URL(fileURLWithPath: folder + "/" + Self.fileName), options: .atomic)
    }
}

/// ISO 8601 UTC timestamps for reports and status files.
public enum Timestamp {
    public static func now() -> String { string(Date()) }
    /// Now, rounded down to the hour: the times written into the pipeline author's output folders (report, status,
    /// batch summary). Durations depend (weakly) on the data (issue 11) — and in a batch one job's start is the
    /// previous job's end — so the author sees times only to the hour; the operator sees exact timings on stderr.
    public static func coarseNow() -> String {
        let now = Date().timeIntervalSince1970
        return string(Date(timeIntervalSince1970: (now / 3600).rounded(.down) * 3600))
    }
    public static func string(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}
