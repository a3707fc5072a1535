import PrivateLearning

/// Inference-only stand-ins for the `dropout` and `flatten` layers, registered into the test
/// registry only while StandardPlugins lacks them, exactly as a third-party plugin registers.
/// They let the Keras fixtures with Dropout and Flatten be checked against Keras' predictions;
/// once the real layers exist the tests use those instead.
enum StandInLayers {
    static func register(into registry: inout PluginRegistry) throws {
        if !registry.layerNames.contains("dropout") {
            try registry.registerLayer("dropout", summary: "test stand-in: identity at inference") { parameters in
                let reader = ParameterReader(plugin: "dropout", parameters: parameters)
                try reader.rejectUnknown(["rate"])
                return InferenceDropout(rate: try reader.double("rate", in: 0...))
            }
        }
        if !registry.layerNames.contains("flatten") {
            try registry.registerLayer("flatten", summary: "test stand-in: reshape to one feature vector") { parameters in
                try ParameterReader(plugin: "flatten", parameters: parameters).rejectUnknown([])
                return FlattenStandIn()
            }
        }
    }
}

/// Dropout as it acts at inference (identity). Not for training.
final class InferenceDropout: Layer {
    let typeName = "dropout"
    let rate: Double
    var parameters: [Tensor] = []

    init(rate: Double) { self.rate = rate }

    var configuration: PluginParameters { ["rate": .double(rate)] }

    func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] { inputShape }
    func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(!training, "InferenceDropout is a test stand-in for prediction only")
        return input
    }
    func backward(_ outputGradient: Tensor) -> Tensor { outputGradient }
    func parameterGradients(exampleWeights: [Float]?) -> [Tensor] { [] }
}

/// Flatten: row-major storage is already flat per example, so only the shape changes.
final class FlattenStandIn: Layer {
    let typeName = "flatten"
    var parameters: [Tensor] = []
    var configuration: PluginParameters { [:] }

    func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
        [inputShape.reduce(1, *)]
    }
    func forward(_ input: Tensor, training: Bool) -> Tensor {
        Tensor(shape: [input.shape[0], input.count / max(input.shape[0], 1)], values: input.storage)
    }
    func backward(_ outputGradient: Tensor) -> Tensor { outputGradient }
    func parameterGradients(exampleWeights: [Float]?) -> [Tensor] { [] }
}
