import Foundation
import Synchronization

/// The run's log: timestamped lines kept for `log.txt` and the HTML report, and forwarded as events.
/// Lines carry stage names, shapes, costs and timings — never data values.
public final class RunLog: Sendable {
    private let lines = Mutex<[String]>([])
    private let events: (@Sendable (RunEvent) -> Void)?
    private let start = Date()

    public init(events: (@Sendable (RunEvent) -> Void)?) {
        self.events = events
    }

    public func callAsFunction(_ message: String) {
        let line = String(format: "[%7.2fs] ", Date().timeIntervalSince(start)) + message
        lines.withLock { $0.append(line) }
        events?(.log(line))
    }

    public func emit(_ event: RunEvent) { events?(event) }

    public var text: String { lines.withLock { $0.joined(separator: "\n") } + "\n" }
}
