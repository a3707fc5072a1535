/// What a stage needs from earlier stages and leaves for later ones; the planner checks the chain
/// before anything runs ("'train' needs a split; add a 'split' stage before it").
public enum PipelineArtifact: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// A loaded private data frame with its public schema (`load`).
    case data
    /// Chosen feature and label columns (`select`).
    case selection
    /// A training part and a test part (`split`).
    case split
    /// A trained model (`train`).
    case model
    /// Prediction columns on the test part (`predict`).
    case predictions
    /// Released metric values (`evaluate`).
    case metrics

    public var description: String { rawValue }

    /// The stage that usually produces this artifact, for "add a '…' stage" hints.
    var producer: String {
        switch self {
        case .data: "load"
        case .selection: "select"
        case .split: "split"
        case .model: "train"
        case .predictions: "predict"
        case .metrics: "evaluate"
        }
    }
}
