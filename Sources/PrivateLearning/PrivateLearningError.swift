import Foundation

/// Errors of the learning layer: plugin lookup, parameters, model assembly, training input.
///
/// Messages name layers, parameters and shapes, never values taken from the data.
public enum PrivateLearningError: Error, Sendable, Equatable, LocalizedError, CustomStringConvertible {
    /// A name that no registered plugin of that kind has; `suggestion` is the nearest registered name.
    case unknownPlugin(kind: String, name: String, suggestion: String?)
    /// A plugin name registered twice without `replacing: true`.
    case duplicatePlugin(kind: String, name: String)
    /// A required parameter is absent.
    case missingParameter(plugin: String, parameter: String)
    /// A parameter has the wrong type or an out-of-range value (`expected` says what is accepted).
    case invalidParameter(plugin: String, parameter: String, expected: String)
    /// A parameter the plugin does not know; `suggestion` is the nearest known one.
    case unknownParameter(plugin: String, parameter: String, suggestion: String?)
    /// A layer cannot accept the shape produced by the layer before it.
    case incompatibleShape(layer: String, index: Int, inputShape: [Int], reason: String)
    /// Layers that mix examples within a batch, refused for DP-SGD (one line per offender).
    case layersMixExamples([String])
    /// Features and labels disagree, or a tensor does not fit the model.
    case invalidTrainingData(String)
    /// Training hyper-parameters out of range (clip, noise multiplier, batch size, epochs, delta).
    case invalidConfiguration(String)
    /// The model was used before `compile`.
    case notCompiled
    /// A saved model file cannot be read or does not match the model.
    case invalidModelFile(String)
    /// The clipped gradient sum of parameter tensor `parameter` is not finite (training diverged).
    case nonFiniteGradient(parameter: Int)
    /// Building layer `index` would exceed a resource limit (parameters, memory); checked from the
    /// shapes before anything is allocated.
    case resourceLimitExceeded(layer: String, index: Int, reason: String)

    /// The layer an error is about, when there is one (for positions in pipeline files).
    public var layerIndex: Int? {
        switch self {
        case let .incompatibleShape(_, index, _, _), let .resourceLimitExceeded(_, index, _): return index
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case let .unknownPlugin(kind, name, suggestion):
            return "unknown \(kind) '\(name)'" + (suggestion.map { ". Did you mean '\($0)'?" } ?? "")
        case let .duplicatePlugin(kind, name):
            return "\(kind) '\(name)' is already registered; pass replacing: true to replace it"
        case let .missingParameter(plugin, parameter):
            return "\(plugin): missing required parameter '\(parameter)'"
        case let .invalidParameter(plugin, parameter, expected):
            return "\(plugin): parameter '\(parameter)' must be \(expected)"
        case let .unknownParameter(plugin, parameter, suggestion):
            return "\(plugin): unknown parameter '\(parameter)'" + (suggestion.map { ". Did you mean '\($0)'?" } ?? "")
        case let .incompatibleShape(layer, index, inputShape, reason):
            return "layers[\(index)] (\(layer)): cannot take input of shape \(inputShape): \(reason)"
        case let .layersMixExamples(lines):
            return "model refused for DP-SGD (per-example clipping needs layers that treat examples independently):\n"
                + lines.joined(separator: "\n")
        case let .invalidTrainingData(message):
            return "invalid training data: \(message)"
        case let .invalidConfiguration(message):
            return "invalid configuration: \(message)"
        case .notCompiled:
            return "the model must be compiled (optimizer and loss) before fit or evaluate"
        case let .invalidModelFile(message):
            return "invalid model file: \(message)"
        case let .resourceLimitExceeded(layer, index, reason):
            return "layers[\(index)] (\(layer)): model too large: \(reason)"
        case let .nonFiniteGradient(parameter):
            return "the clipped gradient of parameter tensor \(parameter) is not finite: training diverged; "
                + "lower the learning rate or scale the features to a smaller public range"
        }
    }

    public var errorDescription: String? { description }
}
