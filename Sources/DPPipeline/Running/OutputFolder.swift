import Foundation

/// The output folder of one run, made ready before the run marks it `running`.
///
/// A folder that a previous dpflow run wrote (it has a `status.json`) is reused: the files that run wrote —
/// `report.json`, `report.html`, `log.txt`, `status.json` and every file its status or report lists as an
/// output — are removed first (files only, never a folder), so nothing of the previous run can pass for this run's result. A non-empty folder
/// that dpflow did not write is refused (dpflow never deletes files it did not write). `process.log`, which
/// `dpflow batch` writes before it starts the run, is kept.
public enum OutputFolder {
    /// Files dpflow writes into every output folder.
    public static let ownFiles = ["report.json", "report.html", "log.txt", JobStatus.fileName]

    /// Creates `path` or clears the previous run's files from it.
    /// - Throws: `PipelineError.unreadableFile` (exit 1) naming the folder when it cannot be created or written,
    ///   or is not empty and was not written by dpflow.
    public static func prepare(_ path: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw PipelineError.unreadableFile(path: path, reason: "the output folder exists and is not a folder")
            }
            let entries = (try? fm.contentsOfDirectory(atPath: path)) ?? []
            let previous = previousOutputs(path)
            if previous == nil, entries.contains(where: { $0 != "process.log" }) {
                throw PipelineError.unreadableFile(path: path, reason: "the output folder is not empty and was not written by dpflow "
                                                   + "(no status.json); choose an empty or new folder")
            }
            for name in previous ?? [] where name != "process.log" && !name.contains("/") && name != ".." && name != "." {
                let file = (path as NSString).appendingPathComponent(name)
                var entryIsDirectory: ObjCBool = false
                // Only files: a folder under such a name is not dpflow's, and is never removed.
                guard fm.fileExists(atPath: file, isDirectory: &entryIsDirectory), !entryIsDirectory.boolValue else { continue }
                do { try fm.removeItem(atPath: file) } catch {
                    throw PipelineError.unreadableFile(path: file, reason: "cannot remove the previous run's file: \(error.localizedDescription)")
                }
            }
        } else {
            do { try fm.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw PipelineError.unreadableFile(path: path, reason: "cannot create the output folder: \(error.localizedDescription)")
            }
        }
        guard fm.isWritableFile(atPath: path) else {
            throw PipelineError.unreadableFile(path: path, reason: "the output folder is not writable")
        }
    }

    /// Files a previous run wrote into `path`, nil when no previous dpflow run wrote it.
    static func previousOutputs(_ path: String) -> [String]? {
        guard FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(JobStatus.fileName)) else { return nil }
        var names = ownFiles
        names += JobStatus.read(folder: path)?.outputs ?? []
        if let data = FileManager.default.contents(atPath: (path as NSString).appendingPathComponent("report.json")),
           let report = try? JSONDecoder().decode(RunReport.self, from: data) {
            names += report.outputs
        }
        return Array(Set(names)).sorted()
    }
}
