import PrivateLearning

extension StandardPlugins {
    static func activation(_ reader: ParameterReader, _ name: String, default value: String) throws -> ActivationFunction {
        let raw = try reader.string(name, default: value)
        guard let f = ActivationFunction(name: raw) else {
            throw PrivateLearningError.invalidParameter(
                plugin: reader.plugin, parameter: name,
                expected: "one of " + ActivationFunction.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return f
    }

    static func initializer(_ reader: ParameterReader, _ name: String, default value: String) throws -> Initializer {
        let raw = try reader.string(name, default: value)
        guard let i = Initializer(rawValue: raw) else {
            throw PrivateLearningError.invalidParameter(
                plugin: reader.plugin, parameter: name,
                expected: "one of " + Initializer.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return i
    }

    static func registerLayers(into registry: inout PluginRegistry) throws {
        let activations = ActivationFunction.allCases.map(\.rawValue).joined(separator: "|")
        let initializers = Initializer.allCases.map(\.rawValue).joined(separator: "|")
        try registry.registerLayer(
            "dense", summary: "fully connected layer f(x·W + b); fast per-example gradient norms",
            parameters: [
                ParameterDescription("units", type: "int > 0", "output features per example"),
                ParameterDescription("activation", type: activations, default: "linear", "activation applied to the output"),
                ParameterDescription("use_bias", type: "bool", default: "true", "add a bias vector"),
                ParameterDescription("kernel_initializer", type: initializers, default: "glorot_uniform", "initial kernel"),
                ParameterDescription("bias_initializer", type: initializers, default: "zeros", "initial bias"),
            ]
        ) { params in
            let r = ParameterReader(plugin: "dense", parameters: params)
            try r.rejectUnknown(["units", "activation", "use_bias", "kernel_initializer", "bias_initializer", "name"])
            let units = try r.int("units")
            guard units > 0 else {
                throw PrivateLearningError.invalidParameter(plugin: "dense", parameter: "units", expected: "an integer > 0")
            }
            return Dense(units, activation: try activation(r, "activation", default: "linear"),
                         useBias: try r.bool("use_bias", default: true),
                         kernelInitializer: try initializer(r, "kernel_initializer", default: "glorot_uniform"),
                         biasInitializer: try initializer(r, "bias_initializer", default: "zeros"))
        }
        try registry.registerLayer(
            "activation", summary: "applies an activation function to each example",
            parameters: [ParameterDescription("activation", type: activations, "the function")]
        ) { params in
            let r = ParameterReader(plugin: "activation", parameters: params)
            try r.rejectUnknown(["activation", "name"])
            return Activation(try activationRequired(r))
        }
        try registerStructureLayers(into: &registry)
        try registerNormalizationLayers(into: &registry)
        try registerImageLayers(into: &registry)
    }
}

extension StandardPlugins {
    static func activationRequired(_ reader: ParameterReader) throws -> ActivationFunction {
        _ = try reader.string("activation")
        return try activation(reader, "activation", default: "linear")
    }
}
