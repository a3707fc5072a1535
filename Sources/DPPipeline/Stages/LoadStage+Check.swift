import Foundation
import PrivateDataFrame

/// `dpflow check PIPELINE`: the **data owner's** diagnosis of the pipeline's CSV against its declared schema.
///
/// Reads the data (never the budget: nothing is reserved or charged) and writes nothing into any output folder.
/// Its text names lines, columns and values, so it is operator output: it must not be given to the pipeline
/// author. `dpflow run` never shows any of it; it applies the declared data-independent policies instead.
public struct DataCheck: Sendable {
    /// One `load` stage's result.
    public struct Entry: Sendable {
        /// The CSV as written in the pipeline.
        public var csv: String
        /// The report, or nil when a structural problem stopped the check (`failure`).
        public var report: CSVCheckReport?
        /// A structural problem (unreadable file, header, malformed CSV), in full operator detail.
        public var failure: String?
    }

    /// Problems in the pipeline file itself that stopped the check (`file:line:col: error: …`).
    public var pipelineProblems: [String]
    public var entries: [Entry]

    /// True when the pipeline, a file or a value has a problem (`dpflow check` then exits 1).
    public var foundProblems: Bool {
        !pipelineProblems.isEmpty || entries.contains { $0.failure != nil || ($0.report?.total ?? 0) > 0 }
    }

    /// Checks every `load` stage of the pipeline file.
    /// - Parameter limit: problems listed per file (all are counted).
    public static func run(file: String, environment: PipelineEnvironment, limit: Int = 100) -> DataCheck {
        let spec: PipelineSpec
        do {
            let (text, directory) = try PipelineParser.read(file: file)
            let (decoded, diagnostics) = try PipelineParser(stages: environment.stages).decode(yaml: text, file: file, directory: directory)
            guard let decoded else { return DataCheck(pipelineProblems: diagnostics.sorted.map(\.description), entries: []) }
            spec = decoded
            let loads = spec.stages.compactMap { $0 as? LoadStage }
            if loads.isEmpty {
                let problems = diagnostics.sorted.map(\.description)
                return DataCheck(pipelineProblems: problems.isEmpty ? ["\(file): error: the pipeline has no 'load' stage to check"] : problems,
                                 entries: [])
            }
        } catch let error as PipelineError {
            if case .invalidPipeline(let d) = error { return DataCheck(pipelineProblems: d.map(\.description), entries: []) }
            return DataCheck(pipelineProblems: [error.description], entries: [])
        } catch {
            return DataCheck(pipelineProblems: ["\(file): error: \(error)"], entries: [])
        }
        var entries: [Entry] = []
        for load in spec.stages.compactMap({ $0 as? LoadStage }) {
            let path = load.csv.hasPrefix("/") ? load.csv : (spec.directory as NSString).appendingPathComponent(load.csv)
            do {
                var report = try PrivateDataFrame.check(csv: path, schema: load.schema.schema, limit: limit, displayName: load.csv)
                var failure: String?
                if let error = report.failure {
                    failure = error.description
                    if case .undeclaredColumn = error, let shape = try? CSVShape.read(path: path),
                       case let .undeclared(names)? = load.schema.schema.headerMismatch(shape.columns) {
                        failure! += " (undeclared header cells: \(names.prefix(20).map { "'\($0)'" }.joined(separator: ", "))"
                            + "\(names.count > 20 ? " and \(names.count - 20) more" : ""))"
                    }
                    report.failure = nil
                }
                entries.append(Entry(csv: load.csv, report: report, failure: failure))
            } catch {
                entries.append(Entry(csv: load.csv, report: nil, failure: "\(load.csv): error: \(error)"))
            }
        }
        return DataCheck(pipelineProblems: [], entries: entries)
    }

    /// The report as text lines: every listed problem (`file:line:field: column 'c': …`), then per file a
    /// summary with the counts per kind.
    public var lines: [String] {
        var out = pipelineProblems
        for entry in entries {
            if let report = entry.report { out += report.problems.map(\.description) }
            if let failure = entry.failure { out.append(failure) }
            guard let report = entry.report else { continue }
            if entry.failure != nil {
                if report.total > 0 {
                    out.append("\(entry.csv): \(report.total) value problem\(report.total == 1 ? "" : "s") before the structural error")
                }
            } else if report.total == 0 {
                out.append("\(entry.csv): ok: \(report.rowsRead) rows match the declared schema")
            } else {
                let counts = report.counts.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
                let shown = report.problems.count < report.total ? " (first \(report.problems.count) listed)" : ""
                out.append("\(entry.csv): \(report.total) problem\(report.total == 1 ? "" : "s")\(shown): \(counts); "
                           + "\(report.rowsRead) rows read, \(report.rowsKept) kept by a run under the declared policies")
            }
        }
        return out
    }
}
