import Foundation

/// dpflow's own JSON model format (weights + configuration), version 1.
///
/// ```json
/// { "format": "dpflow.sequential", "version": 1, "input_shape": [30],
///   "layers": [ { "type": "dense",
///                 "config": { "units": 16, "activation": "relu", "use_bias": true, … },
///                 "weights": [ { "shape": [30, 16], "values": [ … ] }, { "shape": [16], "values": [ … ] } ] } ] }
/// ```
/// `type` and `config` are a registry name and its factory parameters, so any registered
/// plugin layer round-trips. Weights are row-major Float32 (kernel `[inputs, units]` as in Keras).
/// A trained model's weights are the DP-SGD output: publishing them is post-processing.
public struct ModelFile: Codable, Sendable, Equatable {
    /// One parameter tensor: shape and row-major values.
    public struct TensorRecord: Codable, Sendable, Equatable {
        public var shape: [Int]
        public var values: [Float]
        public init(_ t: Tensor) { shape = t.shape; values = t.storage }
        public var tensor: Tensor { Tensor(shape: shape, values: values) }
    }

    /// One layer: registry name, factory parameters and weights in `parameters` order.
    public struct LayerRecord: Codable, Sendable, Equatable {
        public var type: String
        public var config: PluginParameters
        public var weights: [TensorRecord]
    }

    public static let formatName = "dpflow.sequential"
    public static let currentVersion = 1

    public var format: String
    public var version: Int
    public var inputShape: [Int]
    public var layers: [LayerRecord]

    enum CodingKeys: String, CodingKey {
        case format, version, inputShape = "input_shape", layers
    }

    /// Snapshot of a model.
    public init(_ model: Sequential) {
        format = Self.formatName
        version = Self.currentVersion
        inputShape = model.inputShape
        layers = model.layers.map { LayerRecord(type: $0.typeName, config: $0.configuration, weights: $0.parameters.map(TensorRecord.init)) }
    }

    /// Rebuilds the model through `registry` and sets its weights.
    /// - Throws: `PrivateLearningError.invalidModelFile` (wrong format/version, weight shapes
    ///   that do not fit) or the registry's errors for unknown layer types.
    public func makeModel(registry: PluginRegistry) throws -> Sequential {
        guard format == Self.formatName else {
            throw PrivateLearningError.invalidModelFile("format is '\(format)', expected '\(Self.formatName)'")
        }
        guard version == Self.currentVersion else {
            throw PrivateLearningError.invalidModelFile("version \(version) is not supported (expected \(Self.currentVersion))")
        }
        let built = try layers.map { try registry.makeLayer($0.type, parameters: $0.config) }
        let model = try Sequential(inputShape: inputShape, layers: built, seed: 0)
        for (i, (layer, record)) in zip(model.layers, layers).enumerated() {
            guard layer.parameters.map(\.shape) == record.weights.map(\.shape),
                  record.weights.allSatisfy({ $0.shape.reduce(1, *) == $0.values.count }) else {
                throw PrivateLearningError.invalidModelFile(
                    "layers[\(i)] (\(record.type)): weight shapes \(record.weights.map(\.shape)) do not match the layer's \(layer.parameters.map(\.shape))")
            }
            layer.parameters = record.weights.map(\.tensor)
        }
        return model
    }
}

extension Sequential {
    /// The model as dpflow JSON (see `ModelFile`).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(ModelFile(self))
    }

    /// Writes the model (configuration and weights) to `url` as dpflow JSON.
    public func save(to url: URL) throws {
        try jsonData().write(to: url, options: .atomic)
    }

    /// Reads a model written by `save(to:)`, rebuilding layers through `registry`.
    public static func load(from url: URL, registry: PluginRegistry) throws -> Sequential {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw PrivateLearningError.invalidModelFile("cannot read \(url.path): \(error.localizedDescription)")
        }
        return try load(jsonData: data, registry: registry)
    }

    /// Decodes dpflow JSON (see `ModelFile`).
    public static func load(jsonData data: Data, registry: PluginRegistry) throws -> Sequential {
        let file: ModelFile
        do { file = try JSONDecoder().decode(ModelFile.self, from: data) } catch {
            throw PrivateLearningError.invalidModelFile("not a dpflow model file (\(Self.decodingSummary(error)))")
        }
        return try file.makeModel(registry: registry)
    }

    /// Describes a decoding error by coding path only — never by the offending value.
    static func decodingSummary(_ error: any Error) -> String {
        guard let e = error as? DecodingError else { return "invalid JSON" }
        func path(_ c: DecodingError.Context) -> String {
            c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch e {
        case .keyNotFound(let key, let c): return "missing key '\(key.stringValue)' at \(path(c).isEmpty ? "top level" : path(c))"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "wrong type at \(path(c))"
        case .dataCorrupted(let c): return "malformed JSON at \(path(c).isEmpty ? "top level" : path(c))"
        @unknown default: return "invalid JSON"
        }
    }
}
