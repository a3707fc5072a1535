import DPPipeline
import Foundation
import Synchronization

/// Shows run events: a one-line progress bar on a terminal, plain log lines otherwise (both on stderr).
final class ProgressDisplay: Sendable {
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let quiet: Bool
    private let barShown = Mutex(false)

    init(quiet: Bool) {
        self.quiet = quiet
    }

    func handle(_ event: RunEvent) {
        if quiet { return }
        switch event {
        case .log(let line):
            clearBar()
            printError(line)
        case .epoch(let epoch, let epochs, let steps, let totalSteps, let loss, let epsilon):
            if isTerminal {
                let width = 30
                let filled = totalSteps > 0 ? min(width, width * steps / totalSteps) : width
                let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
                let line = String(format: "\r  epoch %d/%d [%@] step %d/%d  loss %.4f  ε %.3f ", epoch, epochs, bar, steps,
                                  totalSteps, loss, epsilon)
                FileHandle.standardError.write(Data(line.utf8))
                barShown.withLock { $0 = true }
            } else {
                printError(String(format: "epoch %d/%d step %d/%d loss %.4f epsilon %.4f", epoch, epochs, steps, totalSteps, loss, epsilon))
            }
        }
    }

    private func clearBar() {
        let shown = barShown.withLock { v in defer { v = false }; return v }
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    func finish() { clearBar() }
}
