/// Names that become file or report names in the output folder: checked at validation, so that no pipeline
/// writes outside its folder or over a file dpflow writes itself, and no release replaces another value.
extension PipelineSpec {
    /// Files dpflow writes into every output folder (and `dpflow batch` into its own), by base name: exports may
    /// not use them.
    public static let reservedOutputNames: Set<String> = ["report", "status", "log", "summary", "process"]

    /// Problems with `name`, `export` names and release/metric names.
    public func outputNameDiagnostics() -> [PipelineDiagnostic] {
        var out: [PipelineDiagnostic] = []
        let namePosition = topLevelKeyPosition("name") ?? position
        if let problem = Self.folderNameProblem(name) {
            out.append(PipelineDiagnostic(namePosition, "pipeline name: \(problem)"))
        }
        var reportNames: [String: SourcePosition] = [:]
        // A histogram is reported as one value per declared value, `name[value]`: another value named so would
        // replace a bin (or be replaced by it) in the report.
        let histograms = stages.compactMap { ($0 as? ReleaseStage).flatMap { $0.statistic == "histogram" ? $0 : nil } }
        for stage in stages {
            if let export = stage as? ExportStage {
                let name: String
                switch export.target {
                case .model(let n): name = n
                case .external(_, let n, _): name = n
                }
                if Self.reservedOutputNames.contains(name.lowercased()) {
                    out.append(PipelineDiagnostic(export.position, "export name '\(name)' is reserved: dpflow writes "
                        + Self.reservedOutputNames.sorted().joined(separator: ", ") + " files itself; choose another name"))
                }
            }
            var names: [String] = []
            if let evaluate = stage as? EvaluateStage { names = evaluate.metrics }
            if let release = stage as? ReleaseStage { names = [release.name] }
            for name in names {
                if let histogram = histograms.first(where: { $0.position != stage.position && name.hasPrefix($0.name + "[") }) {
                    out.append(PipelineDiagnostic(stage.position, "the histogram '\(histogram.name)' (line \(histogram.position.line)) reports "
                        + "its bins as '\(histogram.name)[value]'; give this value a name that does not start with '\(histogram.name)['"))
                }
                if let first = reportNames[name] {
                    out.append(PipelineDiagnostic(stage.position, "the report already has a value named '\(name)' (from line \(first.line)); "
                        + "give this release another name"))
                } else {
                    reportNames[name] = stage.position
                }
            }
        }
        return out
    }

    /// Why `name` cannot be a folder name (nil when it can): empty, `.`/`..`, a path separator, a control
    /// character (newline, NUL, …), a leading `-` or longer than 200 bytes.
    public static func folderNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name == "." || name == ".." || name.allSatisfy({ $0 == "." }) { return "'\(name)' is not a folder name" }
        if name.contains("/") || name.contains("\\") { return "must not contain a path separator ('/' or '\\')" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f || (0x80...0x9f).contains($0.value) }) {
            return "must not contain control characters (newline, NUL, …)"
        }
        if name.hasPrefix("-") { return "must not start with '-'" }
        if name.utf8.count > 200 { return "is longer than 200 bytes" }
        return nil
    }

    /// Position of a top-level `key:` in the source text (for values the spec keeps without a position).
    func topLevelKeyPosition(_ key: String) -> SourcePosition? {
        for (index, line) in sourceText.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where line.hasPrefix(key) {
            let rest = line.dropFirst(key.count).drop { $0 == " " }
            guard rest.first == ":" else { continue }
            let value = rest.dropFirst().prefix { $0 == " " }.count
            return SourcePosition(file: file, line: index + 1, column: key.count + (line.count - key.count - rest.count) + 2 + value)
        }
        return nil
    }
}
