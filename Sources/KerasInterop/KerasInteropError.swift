import Foundation

/// Everything that can go wrong while reading or writing Keras models and NumPy files.
///
/// Messages name files, layer positions, Keras class names, options, dtypes and shapes so a user
/// can fix the input; they never contain a value stored in a file (weights or data).
public enum KerasInteropError: Error, Sendable, Equatable {
    /// A `.npy` file (or an entry of an `.npz`) is not valid NumPy format.
    case invalidNumpyFile(file: String, reason: String)
    /// The array's dtype cannot be read as Float32 (for example strings, complex or objects).
    case unsupportedNumpyDType(file: String, descr: String)
    /// The array is stored column-major (`fortran_order: True`); only C order is read.
    case fortranOrderNotSupported(file: String)
    /// A `.npz` file could not be opened, read or written as a zip archive.
    case invalidNumpyArchive(file: String, reason: String)
    /// The model JSON is not valid JSON or not a Keras model configuration.
    case invalidModelJSON(file: String, reason: String)
    /// The top-level model is not a `Sequential` (functional or subclassed models are not imported).
    case unsupportedModelClass(file: String, className: String)
    /// A layer class that neither the Keras mapping nor the plugin registry knows.
    case unknownLayerClass(file: String, layer: Int, className: String, suggestion: String?)
    /// A layer class that is known but cannot be used for private training.
    case refusedLayerClass(file: String, layer: Int, className: String, reason: String)
    /// A layer option whose value dpflow does not implement.
    case unsupportedOption(file: String, layer: Int, className: String, option: String, reason: String)
    /// A required layer option is missing or has the wrong type.
    case invalidOption(file: String, layer: Int, className: String, option: String, reason: String)
    /// The input shape of the model cannot be found (no InputLayer, batch shape or build shape).
    case missingInputShape(file: String)
    /// The plugin registry refused to build a layer.
    case layerConstructionFailed(file: String, layer: Int, className: String, reason: String)
    /// The number of weight arrays differs from what the model's layers hold.
    case weightCountMismatch(file: String, expected: Int, found: Int)
    /// A weight array's shape differs from the layer's parameter shape.
    case weightShapeMismatch(file: String, layer: Int, className: String, parameter: String,
                             expected: [Int], found: [Int])
    /// The model's per-example input size differs from the number of feature columns.
    case inputWidthMismatch(file: String, inputShape: [Int], featureWidth: Int)
    /// A dpflow layer has no Keras equivalent that this exporter can write.
    case unsupportedLayerForExport(layer: Int, typeName: String, reason: String)
    /// Writing a file failed.
    case writeFailed(file: String, reason: String)
}

extension KerasInteropError: LocalizedError, CustomStringConvertible {
    public var description: String {
        switch self {
        case let .invalidNumpyFile(file, reason):
            return "\(file): error: not a valid NumPy .npy file: \(reason)"
        case let .unsupportedNumpyDType(file, descr):
            return "\(file): error: unsupported NumPy dtype '\(descr)'; save the array as float32 ('<f4') or float64 ('<f8')"
        case let .fortranOrderNotSupported(file):
            return "\(file): error: array is stored in Fortran (column-major) order; save it with numpy.ascontiguousarray first"
        case let .invalidNumpyArchive(file, reason):
            return "\(file): error: not a readable .npz archive: \(reason)"
        case let .invalidModelJSON(file, reason):
            return "\(file): error: not a Keras model JSON (model.to_json()): \(reason)"
        case let .unsupportedModelClass(file, className):
            return "\(file): error: model class '\(className)' is not supported; only Sequential models are imported"
        case let .unknownLayerClass(file, layer, className, suggestion):
            let hint = suggestion.map { ". Did you mean '\($0)'?" } ?? "; no plugin registers a layer of this name"
            return "\(file): layers[\(layer)] (\(className)): error: unknown Keras layer class '\(className)'\(hint)"
        case let .refusedLayerClass(file, layer, className, reason):
            return "\(file): layers[\(layer)] (\(className)): error: \(reason)"
        case let .unsupportedOption(file, layer, className, option, reason):
            return "\(file): layers[\(layer)] (\(className)): error: unsupported option '\(option)': \(reason)"
        case let .invalidOption(file, layer, className, option, reason):
            return "\(file): layers[\(layer)] (\(className)): error: invalid option '\(option)': \(reason)"
        case let .missingInputShape(file):
            return "\(file): error: the model has no input shape; build the Keras model (keras.Input(shape=...)) before model.to_json()"
        case let .layerConstructionFailed(file, layer, className, reason):
            return "\(file): layers[\(layer)] (\(className)): error: cannot build layer: \(reason)"
        case let .weightCountMismatch(file, expected, found):
            return "\(file): error: the model has \(expected) weight arrays but the file holds \(found); write it with numpy.savez(path, *model.get_weights())"
        case let .weightShapeMismatch(file, layer, className, parameter, expected, found):
            return "\(file): layers[\(layer)] (\(className)): error: weight '\(parameter)' has shape \(found), expected \(expected)"
        case let .inputWidthMismatch(file, inputShape, featureWidth):
            return "\(file): error: the model takes input of shape \(inputShape) (\(inputShape.reduce(1, *)) features per example) but the selected data has \(featureWidth) feature columns"
        case let .unsupportedLayerForExport(layer, typeName, reason):
            return "layers[\(layer)] (\(typeName)): error: cannot export to Keras: \(reason)"
        case let .writeFailed(file, reason):
            return "\(file): error: cannot write: \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
