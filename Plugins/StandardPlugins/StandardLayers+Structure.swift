import PrivateLearning

extension StandardPlugins {
    /// dropout, flatten and embedding: layers that drop, reshape or look up features.
    static func registerStructureLayers(into registry: inout PluginRegistry) throws {
        let initializers = Initializer.allCases.map(\.rawValue).joined(separator: "|")
        try registry.registerLayer(
            "dropout", summary: "inverted dropout during training, identity at inference; per-element masks",
            parameters: [
                ParameterDescription("rate", type: "number in [0, 1)", "fraction of elements dropped during training"),
                ParameterDescription("seed", type: "int", default: "drawn from the model seed",
                                     "mask generator seed (no privacy role)"),
            ]
        ) { params in
            let r = ParameterReader(plugin: "dropout", parameters: params)
            try r.rejectUnknown(["rate", "seed", "noise_shape", "name"])
            let rate = try r.double("rate", in: 0...)
            guard rate < 1 else {
                throw PrivateLearningError.invalidParameter(plugin: "dropout", parameter: "rate", expected: "a number in [0, 1)")
            }
            if let shape = params["noise_shape"], shape != .null {
                throw PrivateLearningError.invalidParameter(plugin: "dropout", parameter: "noise_shape",
                                                            expected: "null (every element is dropped independently)")
            }
            var seed: UInt64? = nil
            if let v = params["seed"], v != .null { seed = UInt64(truncatingIfNeeded: try r.int("seed")) }
            return Dropout(rate: Float(rate), seed: seed)
        }

        try registry.registerLayer(
            "flatten", summary: "reshapes each example to a feature vector (row-major, channels_last)",
            parameters: [ParameterDescription("data_format", type: "channels_last", default: "channels_last", "layout")]
        ) { params in
            let r = ParameterReader(plugin: "flatten", parameters: params)
            try r.rejectUnknown(["data_format", "name"])
            guard try r.string("data_format", default: "channels_last") == "channels_last" else {
                throw PrivateLearningError.invalidParameter(plugin: "flatten", parameter: "data_format", expected: "channels_last")
            }
            return Flatten()
        }

        try registry.registerLayer(
            "embedding", summary: "maps integer tokens to learned vectors; fast per-example norms from the touched rows",
            parameters: [
                ParameterDescription("input_dim", type: "int > 0", "vocabulary size: tokens are integers in [0, input_dim)"),
                ParameterDescription("output_dim", type: "int > 0", "vector length per token"),
                ParameterDescription("embeddings_initializer", type: "uniform|" + initializers, default: "uniform",
                                     "initial vectors (uniform: U(−0.05, 0.05))"),
            ]
        ) { params in
            let r = ParameterReader(plugin: "embedding", parameters: params)
            try r.rejectUnknown(["input_dim", "output_dim", "embeddings_initializer", "mask_zero", "name"])
            var dims: [Int] = []
            for name in ["input_dim", "output_dim"] {
                let v = try r.int(name)
                guard v > 0 else {
                    throw PrivateLearningError.invalidParameter(plugin: "embedding", parameter: name, expected: "an integer > 0")
                }
                dims.append(v)
            }
            let initializerName = try r.string("embeddings_initializer", default: "uniform")
            guard initializerName == "uniform" || Initializer(rawValue: initializerName) != nil else {
                throw PrivateLearningError.invalidParameter(plugin: "embedding", parameter: "embeddings_initializer",
                                                            expected: "one of uniform, " + Initializer.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard try r.bool("mask_zero", default: false) == false else {
                throw PrivateLearningError.invalidParameter(plugin: "embedding", parameter: "mask_zero",
                                                            expected: "false (masking is not implemented)")
            }
            return Embedding(inputDim: dims[0], outputDim: dims[1], embeddingsInitializer: initializerName)
        }
    }
}
