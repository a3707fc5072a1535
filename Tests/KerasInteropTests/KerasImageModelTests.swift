import Foundation
import PrivateLearning
import StandardPlugins
import Testing
@testable import KerasInterop

/// Image models (issue 9): convolution, pooling, Reshape and GroupNormalization, declared in dpflow and written
/// as Keras JSON + `.npz`. The fixtures made with real Keras are covered by the parameterised import, round-trip
/// and parsing tests (`KerasFixtures.imageModels`); here the other direction and the weight layout.
@Suite("Keras image models")
struct KerasImageModelTests {
    /// A model declared in dpflow: name, per-example input shape, layers (registry name, parameters).
    struct Declared: Sendable, CustomTestStringConvertible {
        var name: String
        var inputShape: [Int]
        var layers: [(String, PluginParameters)]
        var testDescription: String { name }
    }

    static func sizes(_ v: Int...) -> PluginParameter { .list(v.map { .int($0) }) }

    static let declared: [Declared] = [
        // The TF Privacy tutorial CNN (issue 9, item 5), on 28×28×1 images.
        Declared(name: "tutorial_cnn", inputShape: [28, 28, 1], layers: [
            ("conv2d", ["filters": .int(16), "kernel_size": .int(8), "strides": .int(2), "padding": .string("same"),
                        "activation": .string("relu")]),
            ("max_pooling2d", ["pool_size": .int(2), "strides": .int(1)]),
            ("conv2d", ["filters": .int(32), "kernel_size": .int(4), "strides": .int(2), "padding": .string("valid"),
                        "activation": .string("relu")]),
            ("max_pooling2d", ["pool_size": .int(2), "strides": .int(1)]),
            ("flatten", [:]),
            ("dense", ["units": .int(32), "activation": .string("relu")]),
            ("dense", ["units": .int(10)]),
        ]),
        // pipelines/digits_cnn.yaml's model: flat pixel columns given an image shape.
        Declared(name: "digits_cnn", inputShape: [64], layers: [
            ("reshape", ["target_shape": sizes(8, 8, 1)]),
            ("conv2d", ["filters": .int(8), "kernel_size": .int(3), "padding": .string("same"), "activation": .string("tanh")]),
            ("group_normalization", ["groups": .int(4)]),
            ("max_pooling2d", ["pool_size": .int(2)]),
            ("flatten", [:]),
            ("dense", ["units": .int(10), "activation": .string("softmax")]),
        ]),
        // Sequences: dilation with same padding, average pooling with stride 1 and same padding, GroupNormalization
        // without beta, global max pooling.
        Declared(name: "sequence_cnn", inputShape: [20, 4], layers: [
            ("conv1d", ["filters": .int(6), "kernel_size": .int(3), "dilation_rate": .int(2), "padding": .string("same"),
                        "activation": .string("elu")]),
            ("average_pooling1d", ["pool_size": .int(3), "strides": .int(1), "padding": .string("same")]),
            ("group_normalization", ["groups": .int(3), "center": .bool(false), "epsilon": .double(1e-5)]),
            ("conv1d", ["filters": .int(3), "kernel_size": .int(4), "strides": .int(3), "use_bias": .bool(false)]),
            ("global_max_pooling1d", [:]),
            ("dense", ["units": .int(2), "activation": .string("sigmoid")]),
        ]),
        // Uneven windows, strides and dilations; GroupNormalization without gamma; Reshape with -1; global pooling.
        Declared(name: "pooling_mix", inputShape: [7, 6, 2], layers: [
            ("average_pooling2d", ["pool_size": sizes(3, 2), "strides": sizes(2, 1), "padding": .string("same")]),
            ("conv2d", ["filters": .int(4), "kernel_size": sizes(2, 3), "dilation_rate": sizes(1, 2), "use_bias": .bool(false),
                        "activation": .string("leaky_relu")]),
            ("group_normalization", ["groups": .int(2), "scale": .bool(false)]),
            ("max_pooling2d", ["pool_size": sizes(2, 1), "padding": .string("same")]),
            ("reshape", ["target_shape": sizes(-1, 4)]),
            ("global_average_pooling1d", [:]),
            ("dense", ["units": .int(3), "activation": .string("softmax")]),
        ]),
        Declared(name: "global_max_2d", inputShape: [5, 5, 3], layers: [
            ("conv2d", ["filters": .int(4), "kernel_size": .int(2), "activation": .string("sigmoid")]),
            ("global_max_pooling2d", [:]),
            ("dense", ["units": .int(1)]),
        ]),
    ]

    /// Builds a declared model with deterministic, non-trivial weights (biases and beta non-zero, gamma ≠ 1).
    static func build(_ declared: Declared) throws -> Sequential {
        let registry = try Registries.standard()
        let layers = try declared.layers.map { try registry.makeLayer($0.0, parameters: $0.1) }
        let model = try Sequential(inputShape: declared.inputShape, layers: layers, seed: 11)
        model.parameters = model.parameters.enumerated().map { k, t in
            // Scaled by 1/√fan-in so that outputs stay O(1) and float32 rounding stays well below the 1e-5 check.
            let scale = 0.9 / Float(max(1, t.count / max(1, t.shape.last ?? 1))).squareRoot()
            return Tensor(shape: t.shape, values: (0..<t.count).map { j in scale * Float(sin(1.7 * Double(j) + 0.9 * Double(k) + 0.3)) })
        }
        return model
    }

    /// A batch of `rows` examples, values in about [-1.5, 1.5].
    static func batch(rows: Int, inputShape: [Int]) -> Tensor {
        let width = inputShape.reduce(1, *)
        return Tensor(shape: [rows, width], values: (0..<(rows * width)).map { Float(cos(0.37 * Double($0) * Double($0 % 7 + 1))) * 1.5 })
    }

    /// dpflow model → Keras JSON + npz (both generations) → dpflow: the same layers, options and predictions.
    /// Leaves `dpflow_<name>.<generation>.{json,weights.npz,batch.npz}` (batch y = dpflow's predictions) for
    /// `scripts/keras/check_export.py` when DPFLOW_KERAS_EXPORT_DIR is set.
    @Test("declared image models export to Keras 2 and 3 and import back identically", arguments: declared)
    func exportDeclared(_ declared: Declared) throws {
        let registry = try Registries.standard()
        let model = try Self.build(declared)
        let (directory, keep) = try ExportDirectory.make("image-\(declared.name)")
        defer { if !keep { try? FileManager.default.removeItem(at: directory) } }
        let x = Self.batch(rows: 5, inputShape: declared.inputShape)
        let y = model.predict(x)
        #expect(y.storage.allSatisfy { $0.isFinite })
        for generation in KerasGeneration.allCases {
            let stem = directory.appendingPathComponent("dpflow_\(declared.name).\(generation.rawValue)")
            let json = stem.appendingPathExtension("json"), weights = stem.appendingPathExtension("weights.npz")
            try KerasModelExporter.write(model: model, generation: generation, json: json, weights: weights, name: declared.name)
            try NumpyArchive(entries: [.init(name: "x", array: NumpyArray(shape: [x.rows] + declared.inputShape, values: x.storage)),
                                       .init(name: "y", array: NumpyArray(shape: y.shape, values: y.storage))])
                .write(to: stem.appendingPathExtension("batch.npz"))
            let back = try KerasModelImporter.load(json: json, weights: weights, registry: registry)
            #expect(back.generation == generation)
            #expect(back.spec.inputShape == declared.inputShape)
            #expect(back.model.layers.map(\.typeName) == declared.layers.map(\.0))
            for (layer, original) in zip(back.model.layers, model.layers) {
                #expect(layer.configuration == original.configuration, "\(layer.typeName)")
            }
            #expect(back.model.predict(x) == y)
        }
    }

    /// The JSON a Keras user reads: class names, HWIO kernel shapes in the npz, channels-last and the InputLayer batch shape.
    @Test("exported JSON names the Keras classes and the image input shape in each generation's spelling")
    func exportedSpelling() throws {
        let model = try Self.build(Self.declared[0])
        let spec = try KerasModelExporter.spec(of: model)
        #expect(spec.layers.map(\.className) == ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dense"])
        let k3 = spec.kerasConfig(generation: .keras3)
        let k3Layers = try #require(k3["config"]?["layers"]?.listValue)
        #expect(k3Layers[0]["config"]?["batch_shape"] == .list([.null, .int(28), .int(28), .int(1)]))
        #expect(k3Layers[1]["config"]?["kernel_size"] == .list([.int(8), .int(8)]))
        #expect(k3Layers[1]["build_config"]?["input_shape"] == .list([.null, .int(28), .int(28), .int(1)]))
        #expect(k3Layers[3]["build_config"]?["input_shape"] == .list([.null, .int(13), .int(13), .int(16)]))
        let k2 = spec.kerasConfig(generation: .keras2)
        let k2Layers = try #require(k2["config"]?["layers"]?.listValue)
        #expect(k2Layers[0]["config"]?["batch_input_shape"] == .list([.null, .int(28), .int(28), .int(1)]))
        #expect(k2Layers[2]["class_name"] == .string("MaxPooling2D"))
        #expect(k2Layers[2]["config"]?["strides"] == .list([.int(1), .int(1)]))
        // Weights in get_weights() order, kernels as Keras stores them: [kh, kw, in, out].
        #expect(model.parameters.map(\.shape) == [[8, 8, 1, 16], [16], [4, 4, 16, 32], [32], [512, 32], [32], [32, 10], [10]])
    }

    /// Keras stores a Conv2D kernel as [kh, kw, in, out] (HWIO) and a Conv1D kernel as [k, in, out]; GroupNormalization
    /// holds gamma then beta, each only when scale / center. A file in another layout is refused, naming the weight.
    @Test("weight layout errors name the layer and the Keras weight (kernel, gamma, beta)")
    func weightLayoutErrors() throws {
        let registry = try Registries.standard()
        let spec = try KerasModelSpec(contentsOf: KerasFixtures.jsonURL(.keras3, "reshape_groupnorm"))
        let weights = try NumpyArchive(contentsOf: FixtureFiles.url("keras3/reshape_groupnorm.weights.npz")).arrays
        // GroupNormalization(groups=3, center=False) holds gamma [3]; Conv2D kernel [2, 2, 3, 6], bias [6];
        // GroupNormalization(groups=1, scale=False) holds beta [6]; Dense kernel [6, 4], bias [4].
        #expect(weights.map(\.shape) == [[3], [2, 2, 3, 6], [6], [6], [6, 4], [4]])
        var oihw = weights
        oihw[1] = NumpyArray(shape: [6, 3, 2, 2], values: weights[1].values)
        #expect(throws: KerasInteropError.weightShapeMismatch(file: "w.npz", layer: 3, className: "Conv2D", parameter: "kernel",
                                                              expected: [2, 2, 3, 6], found: [6, 3, 2, 2])) {
            try KerasModelImporter.makeModel(spec: spec, weights: oihw, weightsFile: "w.npz", registry: registry)
        }
        var wrongGamma = weights
        wrongGamma[0] = NumpyArray(shape: [6], values: [Float](repeating: 1, count: 6))
        #expect(throws: KerasInteropError.weightShapeMismatch(file: "w.npz", layer: 2, className: "GroupNormalization",
                                                              parameter: "gamma", expected: [3], found: [6])) {
            try KerasModelImporter.makeModel(spec: spec, weights: wrongGamma, weightsFile: "w.npz", registry: registry)
        }
        var wrongBeta = weights
        wrongBeta[3] = NumpyArray(shape: [3], values: [0, 0, 0])
        #expect(throws: KerasInteropError.weightShapeMismatch(file: "w.npz", layer: 4, className: "GroupNormalization",
                                                              parameter: "beta", expected: [6], found: [3])) {
            try KerasModelImporter.makeModel(spec: spec, weights: wrongBeta, weightsFile: "w.npz", registry: registry)
        }
        let conv1d = try KerasModelSpec(contentsOf: KerasFixtures.jsonURL(.keras2, "conv1d_sequence"))
        let conv1dWeights = try NumpyArchive(contentsOf: FixtureFiles.url("keras2/conv1d_sequence.weights.npz")).arrays
        #expect(conv1dWeights.map(\.shape) == [[3, 3, 5], [5], [2, 5, 4], [4], [4, 3], [3]])
    }

    /// Options that parse but cannot build (a window larger than the input, a kernel of the wrong rank, a Reshape
    /// that changes the size) are typed errors naming the Keras layer, never a crash.
    @Test("shape problems of image layers are reported with the Keras position and class",
          arguments: [
            ("kernel larger than the input", "cnn_small", 3, "kernel_size", KerasConfigValue.list([.int(9), .int(9)]), "Conv2D"),
            ("kernel of rank 3 in Conv2D", "cnn_small", 1, "kernel_size", .list([.int(2), .int(2), .int(2)]), "Conv2D"),
            ("zero stride", "cnn_small", 2, "strides", .list([.int(0), .int(1)]), "MaxPooling2D"),
            ("reshape to another size", "reshape_groupnorm", 1, "target_shape", .list([.int(5), .int(5), .int(2)]), "Reshape"),
            ("groups not dividing the channels", "conv2d_groupnorm", 2, "groups", .int(3), "GroupNormalization"),
            ("negative filters", "conv1d_sequence", 1, "filters", .int(-2), "Conv1D"),
          ])
    func shapeProblems(label: String, model: String, layer: Int, option: String, value: KerasConfigValue, className: String) throws {
        let registry = try Registries.standard()
        let json = try KerasFixtures.json(.keras3, model).setting(["config", "layers", .index(layer), "config", .key(option)], to: value)
        do {
            let spec = try KerasModelSpec(json: KerasFixtures.encoded(json), file: "m.json", registry: registry)
            _ = try KerasModelImporter.makeModel(spec: spec, weights: nil, registry: registry)
            Issue.record("\(label): expected an error")
        } catch let error as KerasInteropError {
            let text = "\(error)"
            #expect(text.hasPrefix("m.json: layers[\(layer)] (\(className)): error:"), "\(label): \(text)")
        }
    }

    /// The keras-json fuzz corpus (Fuzz/Corpus/keras-json, seeds of `fuzz-keras-json`) holds Keras 2 and 3 image models
    /// since the image layers added a parsing path (choice options such as `padding`); each seed parses and builds.
    @Test("every keras-json fuzz seed parses and builds, image models included")
    func fuzzCorpusSeeds() throws {
        let registry = try Registries.standard()
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Corpus/keras-json")
        let seeds = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
        #expect(seeds.count >= 7)
        var classes: Set<String> = []
        for seed in seeds {
            let spec = try KerasModelSpec(contentsOf: seed, registry: registry)
            _ = try KerasModelImporter.makeModel(spec: spec, weights: nil, registry: registry, seed: 0)
            classes.formUnion(spec.layers.map(\.className))
        }
        #expect(classes.isSuperset(of: ["Conv2D", "Conv1D", "MaxPooling2D", "AveragePooling2D", "GroupNormalization", "Reshape"]))
    }
}
