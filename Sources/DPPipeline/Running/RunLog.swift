import Foundation
import Synchronization

/// The run's log: lines kept for `log.txt` and the HTML report, and forwarded as events.
/// Lines carry stage names, shapes and costs — never data values, and no timings: elapsed seconds depend
/// (weakly) on the data, so only the operator's copy (the events, shown on stderr) is prefixed with them.
/// With `file` set, every line is also appended to that file at once (a killed run leaves its log behind).
public final class RunLog: Sendable {
    private let lines = Mutex<[String]>([])
    private let events: (@Sendable (RunEvent) -> Void)?
    private let start = Date()
    private let handle = Mutex<FileHandle?>(nil)

    public init(events: (@Sendable (RunEvent) -> Void)?) {
        self.events = events
    }

    /// Appends every line from now on to `path` (created or truncated); earlier lines are written first.
    public func mirror(to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(lines.withLock { $0.map { $0 + "\n" }.joined() }.utf8)),
              let h = FileHandle(forWritingAtPath: path) else {
            throw PipelineError.internalError("cannot write '\(path)'")
        }
        _ = try? h.seekToEnd()
        handle.withLock { $0 = h }
    }

    public func callAsFunction(_ message: String) {
        lines.withLock { $0.append(message) }
        handle.withLock { h in try? h?.write(contentsOf: Data((message + "\n").utf8)) }
        events?(.log(String(format: "[%7.2fs] ", Date().timeIntervalSince(start)) + message))
    }

    public func emit(_ event: RunEvent) { events?(event) }

    public var text: String { lines.withLock { $0.joined(separator: "\n") } + "\n" }
}
