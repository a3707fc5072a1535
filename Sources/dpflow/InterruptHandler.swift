import DPPipeline
import Dispatch
import Foundation

/// SIGINT and SIGTERM during `dpflow run`: the output folder is marked `interrupted` (status.json, a last line
/// in log.txt), the reservation stays charged (budget is never refunded), and the process exits 130 (SIGINT) or
/// 143 (SIGTERM), as a shell reports a process killed by these signals.
final class InterruptHandler {
    private let sources: [any DispatchSourceSignal]

    /// - Parameter dataParallel: rank 0 of an MPI job, where a SIGTERM means that the launcher stops the job
    ///   (another rank failed or died): the folder is then marked `failed`.
    init(outputDirectory: String, file: String, dataParallel: Bool = false) {
        var sources: [any DispatchSourceSignal] = []
        for (signalNumber, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                let code = 128 + signalNumber
                if dataParallel && signalNumber == SIGTERM {
                    PipelineRunner.markFailedByJobAbort(outputDirectory: outputDirectory, pipeline: file, signal: name, exitCode: code)
                    FileHandle.standardError.write(Data("\ndpflow rank 0: the MPI job was stopped (another rank failed or died): \(outputDirectory)/status.json says 'failed'; any budget reserved stays charged\n".utf8))
                    _exit(code)
                }
                PipelineRunner.markInterrupted(outputDirectory: outputDirectory, pipeline: file, signal: name, exitCode: code)
                FileHandle.standardError.write(Data("\ninterrupted by \(name): \(outputDirectory)/status.json says 'interrupted'; any budget reserved stays charged\n".utf8))
                // _exit, not exit: atexit handlers and static destructors would run while the training and noise
                // threads still use them (a segfault seen under SIGTERM). Everything to keep is already on disk.
                _exit(code)
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    /// Restores the default handling (after the run has finished).
    func disarm() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
