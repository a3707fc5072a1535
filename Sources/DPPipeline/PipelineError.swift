import Foundation

/// Errors of the pipeline module. Messages name files, positions, stages, keys and columns — never values
/// read from the data.
public enum PipelineError: Error, Sendable, LocalizedError, CustomStringConvertible {
    /// The pipeline file has problems; every one found is listed (exit code 1).
    case invalidPipeline([PipelineDiagnostic])
    /// The pipeline file or a file it names cannot be read (exit code 1).
    case unreadableFile(path: String, reason: String)
    /// The data do not fit the declared schema or cannot be loaded (exit code 1).
    case invalidData(stage: String, position: SourcePosition?, reason: String)
    /// The ledger refuses the reservation: the pipeline does not fit the remaining budget (exit code 3).
    case budgetRefused(dataset: String, requested: (epsilon: Double, delta: Double), reason: String)
    /// A stage failed for a reason that is not the user's input (exit code 4).
    case stageFailed(stage: String, position: SourcePosition?, reason: String)
    /// A batch or job problem (exit code 4).
    case internalError(String)

    /// The process exit code `dpflow` uses for this error: 1 invalid pipeline or data, 3 budget refused,
    /// 4 internal.
    public var exitCode: Int32 {
        switch self {
        case .invalidPipeline, .unreadableFile, .invalidData: 1
        case .budgetRefused: 3
        case .stageFailed, .internalError: 4
        }
    }

    public var description: String {
        switch self {
        case .invalidPipeline(let diagnostics):
            return diagnostics.map(\.description).joined(separator: "\n")
        case .unreadableFile(let path, let reason):
            return "\(path): error: \(reason)"
        case .invalidData(let stage, let position, let reason):
            return "\(position.map { "\($0): " } ?? "")error: stage '\(stage)': \(reason)"
        case .budgetRefused(let dataset, let requested, let reason):
            return "error: budget refused for data set '\(dataset)': this run needs ε = \(Self.format(requested.epsilon)), "
                + "δ = \(Self.format(requested.delta)); \(reason). No budget was charged and no data value was read"
        case .stageFailed(let stage, let position, let reason):
            return "\(position.map { "\($0): " } ?? "")error: stage '\(stage)' failed: \(reason)"
        case .internalError(let reason):
            return "error: \(reason)"
        }
    }

    public var errorDescription: String? { description }

    static func format(_ x: Double) -> String { PrivacyFormat.string(x) }
}
