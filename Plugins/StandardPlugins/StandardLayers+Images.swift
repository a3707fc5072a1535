import PrivateLearning

extension StandardPlugins {
    /// An int or a list of `rank` ints (Keras' `kernel_size: 3` or `[3, 3]`), each > 0.
    static func sizes(_ reader: ParameterReader, _ params: PluginParameters, _ name: String, rank: Int,
                      default value: [Int]? = nil) throws -> [Int] {
        let expected = rank == 1 ? "an integer > 0 or a list of 1" : "an integer > 0 or a list of \(rank) integers > 0"
        let out: [Int]
        switch params[name] {
        case nil, .null?:
            guard let value else { throw PrivateLearningError.missingParameter(plugin: reader.plugin, parameter: name) }
            out = value
        case .list(let items)?:
            out = try items.map {
                switch $0 {
                case .int(let v): return v
                case .double(let v) where v.rounded() == v && abs(v) < 1e9: return Int(v)
                default: throw PrivateLearningError.invalidParameter(plugin: reader.plugin, parameter: name, expected: expected)
                }
            }
        default:
            out = [Int](repeating: try reader.int(name), count: rank)
        }
        guard out.count == rank, out.allSatisfy({ $0 > 0 && $0 < 1 << 24 }) else {
            throw PrivateLearningError.invalidParameter(plugin: reader.plugin, parameter: name, expected: expected)
        }
        return out
    }

    static func padding(_ reader: ParameterReader) throws -> ConvolutionPadding {
        guard let p = ConvolutionPadding(rawValue: try reader.string("padding", default: "valid").lowercased()) else {
            throw PrivateLearningError.invalidParameter(plugin: reader.plugin, parameter: "padding", expected: "same or valid")
        }
        return p
    }

    static func channelsLast(_ reader: ParameterReader) throws {
        guard try reader.string("data_format", default: "channels_last") == "channels_last" else {
            throw PrivateLearningError.invalidParameter(plugin: reader.plugin, parameter: "data_format", expected: "channels_last")
        }
    }

    /// conv1d/conv2d, the pooling layers, reshape and group_normalization (Keras names and defaults).
    static func registerImageLayers(into registry: inout PluginRegistry) throws {
        let activations = ActivationFunction.allCases.map(\.rawValue).joined(separator: "|")
        let initializers = Initializer.allCases.map(\.rawValue).joined(separator: "|")
        for rank in [1, 2] {
            let name = "conv\(rank)d"
            try registry.registerLayer(
                name, summary: "\(rank)-D convolution, channels-last (im2col + GEMM); fast per-example norms (mixed ghost clipping)",
                parameters: [
                    ParameterDescription("filters", type: "int > 0", "output channels"),
                    ParameterDescription("kernel_size", type: rank == 1 ? "int" : "int | [int, int]", "window size"),
                    ParameterDescription("strides", type: rank == 1 ? "int" : "int | [int, int]", default: "1", "window step"),
                    ParameterDescription("padding", type: "valid|same", default: "valid", "border handling (Keras' rule)"),
                    ParameterDescription("dilation_rate", type: rank == 1 ? "int" : "int | [int, int]", default: "1", "gap between taps"),
                    ParameterDescription("activation", type: activations, default: "linear", "activation applied to the output"),
                    ParameterDescription("use_bias", type: "bool", default: "true", "add a bias per filter"),
                    ParameterDescription("kernel_initializer", type: initializers, default: "glorot_uniform", "initial kernel"),
                    ParameterDescription("bias_initializer", type: initializers, default: "zeros", "initial bias"),
                ]
            ) { params in
                let r = ParameterReader(plugin: name, parameters: params)
                try r.rejectUnknown(["filters", "kernel_size", "strides", "padding", "dilation_rate", "activation", "use_bias",
                                     "kernel_initializer", "bias_initializer", "data_format", "groups", "name"])
                try channelsLast(r)
                guard try r.int("groups", default: 1) == 1 else {
                    throw PrivateLearningError.invalidParameter(plugin: name, parameter: "groups", expected: "1 (grouped convolution is not implemented)")
                }
                let filters = try r.int("filters")
                guard filters > 0, filters < 1 << 24 else {
                    throw PrivateLearningError.invalidParameter(plugin: name, parameter: "filters", expected: "an integer > 0")
                }
                return Convolution(spatialRank: rank, filters: filters,
                                   kernelSize: try sizes(r, params, "kernel_size", rank: rank),
                                   strides: try sizes(r, params, "strides", rank: rank, default: [Int](repeating: 1, count: rank)),
                                   padding: try padding(r),
                                   dilation: try sizes(r, params, "dilation_rate", rank: rank, default: [Int](repeating: 1, count: rank)),
                                   activation: try activation(r, "activation", default: "linear"),
                                   useBias: try r.bool("use_bias", default: true),
                                   kernelInitializer: try initializer(r, "kernel_initializer", default: "glorot_uniform"),
                                   biasInitializer: try initializer(r, "bias_initializer", default: "zeros"))
            }
            for kind in [Pooling.Kind.max, .average] {
                let poolName = "\(kind == .max ? "max" : "average")_pooling\(rank)d"
                try registry.registerLayer(
                    poolName, summary: "\(kind == .max ? "maximum" : "mean") over \(rank)-D windows of each example (padding never counts)",
                    parameters: [
                        ParameterDescription("pool_size", type: rank == 1 ? "int" : "int | [int, int]", default: "2", "window size"),
                        ParameterDescription("strides", type: rank == 1 ? "int" : "int | [int, int]", default: "pool_size", "window step"),
                        ParameterDescription("padding", type: "valid|same", default: "valid", "border handling (Keras' rule)"),
                    ]
                ) { params in
                    let r = ParameterReader(plugin: poolName, parameters: params)
                    try r.rejectUnknown(["pool_size", "strides", "padding", "data_format", "name"])
                    try channelsLast(r)
                    let pool = try sizes(r, params, "pool_size", rank: rank, default: [Int](repeating: 2, count: rank))
                    return Pooling(kind, spatialRank: rank, poolSize: pool, strides: try sizes(r, params, "strides", rank: rank, default: pool),
                                   padding: try padding(r))
                }
                let globalName = "global_\(kind == .max ? "max" : "average")_pooling\(rank)d"
                try registry.registerLayer(
                    globalName, summary: "\(kind == .max ? "maximum" : "mean") over every position of each example: [B, …, C] → [B, C]",
                    parameters: []
                ) { params in
                    let r = ParameterReader(plugin: globalName, parameters: params)
                    try r.rejectUnknown(["data_format", "keepdims", "name"])
                    try channelsLast(r)
                    guard try r.bool("keepdims", default: false) == false else {
                        throw PrivateLearningError.invalidParameter(plugin: globalName, parameter: "keepdims", expected: "false")
                    }
                    return GlobalPooling(kind, spatialRank: rank)
                }
            }
        }
        try registry.registerLayer(
            "reshape", summary: "gives each example a new shape of the same size (one entry may be -1)",
            parameters: [ParameterDescription("target_shape", type: "[int]", "per-example shape, e.g. [8, 8, 1]")]
        ) { params in
            let r = ParameterReader(plugin: "reshape", parameters: params)
            try r.rejectUnknown(["target_shape", "name"])
            guard case .list(let items)? = params["target_shape"], !items.isEmpty, items.count <= 8 else {
                throw PrivateLearningError.invalidParameter(plugin: "reshape", parameter: "target_shape", expected: "a list of 1 to 8 integers")
            }
            let shape = try items.map { item -> Int in
                guard case .int(let v) = item, v == -1 || (v > 0 && v < 1 << 30) else {
                    throw PrivateLearningError.invalidParameter(plugin: "reshape", parameter: "target_shape",
                                                                expected: "positive integers and at most one -1")
                }
                return v
            }
            return Reshape(targetShape: shape)
        }
        try registry.registerLayer(
            "group_normalization",
            summary: "per-example normalisation over channel groups with learnable scale and offset (DP-compatible; use it instead of batch_normalization)",
            parameters: [
                ParameterDescription("groups", type: "int > 0 | -1", default: "32", "channel groups (must divide the channels); -1: one per channel"),
                ParameterDescription("epsilon", type: "number > 0", default: "0.001", "added to the variance"),
                ParameterDescription("center", type: "bool", default: "true", "learn an offset beta"),
                ParameterDescription("scale", type: "bool", default: "true", "learn a scale gamma"),
                ParameterDescription("gamma_initializer", type: initializers, default: "ones", "initial gamma"),
                ParameterDescription("beta_initializer", type: initializers, default: "zeros", "initial beta"),
            ]
        ) { params in
            let r = ParameterReader(plugin: "group_normalization", parameters: params)
            try r.rejectUnknown(["groups", "epsilon", "center", "scale", "gamma_initializer", "beta_initializer", "axis", "name"])
            switch params["axis"] {
            case nil, .null?, .int(-1)?: break
            default: throw PrivateLearningError.invalidParameter(plugin: "group_normalization", parameter: "axis", expected: "-1 (channels last)")
            }
            let groups = try r.int("groups", default: 32)
            guard groups == -1 || (groups > 0 && groups < 1 << 24) else {
                throw PrivateLearningError.invalidParameter(plugin: "group_normalization", parameter: "groups", expected: "an integer > 0 or -1")
            }
            return GroupNormalization(groups: groups,
                                      epsilon: Float(try r.double("epsilon", default: 1e-3, in: 0..., exclusiveLower: true)),
                                      center: try r.bool("center", default: true), scale: try r.bool("scale", default: true),
                                      gammaInitializer: try initializer(r, "gamma_initializer", default: "ones"),
                                      betaInitializer: try initializer(r, "beta_initializer", default: "zeros"))
        }
    }
}

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
}
