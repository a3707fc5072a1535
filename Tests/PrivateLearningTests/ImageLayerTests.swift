import DPTestSupport
import PrivateLearning
import StandardPlugins
import Testing

/// The image layers (conv1d/2d, pooling, global pooling, reshape, group_normalization): the
/// conformance checker (per-example gradients and per-unit norms against a one-example loop,
/// every reduction, finite differences), registry construction with Keras defaults, and DP
/// training of a small CNN.
@Suite struct ImageLayerTests {
    static func registry() throws -> PluginRegistry { try StandardPluginsTestAccess.registry() }

    static let convolutions: [(String, @Sendable () -> any Layer, [Int])] = [
        ("conv2d same stride 2 elu", { Convolution(spatialRank: 2, filters: 3, kernelSize: [3, 3], strides: [2, 2], padding: .same, activation: .elu) }, [5, 6, 2]),
        ("conv2d valid dilated tanh", { Convolution(spatialRank: 2, filters: 2, kernelSize: [2, 2], padding: .valid, dilation: [2, 1], activation: .tanh) }, [5, 4, 3]),
        ("conv2d no bias, ghost norms", { Convolution(spatialRank: 2, filters: 4, kernelSize: [2, 2], useBias: false, normMethod: .ghost) }, [3, 3, 2]),
        ("conv2d direct norms", { Convolution(spatialRank: 2, filters: 4, kernelSize: [2, 2], normMethod: .direct) }, [3, 3, 2]),
        ("conv1d same stride 2", { Convolution(spatialRank: 1, filters: 3, kernelSize: [3], strides: [2], padding: .same, activation: .sigmoid) }, [7, 2]),
        ("conv1d softmax over channels", { Convolution(spatialRank: 1, filters: 3, kernelSize: [2], activation: .softmax) }, [5, 2]),
    ]

    @Test(arguments: convolutions.map(\.0))
    func convolutionConforms(_ name: String) throws {
        let (_, make, shape) = Self.convolutions.first { $0.0 == name }!
        let report = try LayerConformance.check(make, inputShape: shape, batchSize: 5, seed: 7, relativeTolerance: 2e-3,
                                                registry: Self.registry())
        #expect(report.maxRelativeErrors.keys.contains("registered norm sampler, per-unit squared norms"))
        #expect(report.passed, "\(report)")
    }

    static let parameterFree: [(String, @Sendable () -> any Layer, [Int])] = [
        ("max_pooling2d same", { Pooling(.max, spatialRank: 2, poolSize: [2, 2], strides: [1, 1], padding: .same) }, [4, 3, 2]),
        ("average_pooling2d same", { Pooling(.average, spatialRank: 2, poolSize: [3, 3], strides: [2, 2], padding: .same) }, [5, 4, 2]),
        ("max_pooling1d", { Pooling(.max, spatialRank: 1, poolSize: [2]) }, [6, 3]),
        ("average_pooling1d", { Pooling(.average, spatialRank: 1, poolSize: [3], strides: [1]) }, [6, 3]),
        ("global_average_pooling2d", { GlobalPooling(.average, spatialRank: 2) }, [3, 3, 2]),
        ("global_max_pooling1d", { GlobalPooling(.max, spatialRank: 1) }, [4, 3]),
        ("reshape", { Reshape(targetShape: [-1, 2]) }, [3, 4]),
    ]

    @Test(arguments: parameterFree.map(\.0))
    func parameterFreeLayersConform(_ name: String) throws {
        let (_, make, shape) = Self.parameterFree.first { $0.0 == name }!
        let report = try LayerConformance.check(make, inputShape: shape, batchSize: 4, seed: 9, relativeTolerance: 2e-3,
                                                registry: Self.registry())
        #expect(report.passed, "\(report)")
    }

    @Test(arguments: [2, 1, -1])
    func groupNormalizationConforms(groups: Int) throws {
        let report = try LayerConformance.check({ GroupNormalization(groups: groups) }, inputShape: [3, 2, 4], batchSize: 5, seed: 11,
                                                relativeTolerance: 5e-3, registry: Self.registry())
        #expect(report.maxRelativeErrors.keys.contains("registered norm sampler, per-unit squared norms"))
        #expect(report.passed, "\(report)")
    }

    @Test func registryBuildsKerasDefaultsAndRefusesBadParameters() throws {
        let r = try Self.registry()
        let conv = try #require(try r.makeLayer("conv2d", parameters: ["filters": .int(16), "kernel_size": .int(8), "strides": .int(2),
                                                                      "padding": .string("same"), "activation": .string("relu")]) as? Convolution)
        #expect(conv.kernelSize == [8, 8] && conv.strides == [2, 2] && conv.padding == .same && conv.useBias)
        let pool = try #require(try r.makeLayer("max_pooling2d", parameters: ["pool_size": .int(2), "strides": .int(1)]) as? Pooling)
        #expect(pool.poolSize == [2, 2] && pool.strides == [1, 1] && pool.padding == .valid)
        let avg = try #require(try r.makeLayer("average_pooling1d") as? Pooling)
        #expect(avg.poolSize == [2] && avg.strides == [2])
        let gn = try #require(try r.makeLayer("group_normalization") as? GroupNormalization)
        #expect(gn.groups == 32 && gn.epsilon == 1e-3)
        for name in ["global_average_pooling1d", "global_average_pooling2d", "global_max_pooling1d", "global_max_pooling2d"] {
            #expect(try r.makeLayer(name).typeName == name)
        }
        #expect(throws: PrivateLearningError.self) { try r.makeLayer("conv2d", parameters: ["filters": .int(4), "kernel_size": .list([.int(3)])]) }
        #expect(throws: PrivateLearningError.self) { try r.makeLayer("conv1d", parameters: ["filters": .int(0), "kernel_size": .int(3)]) }
        #expect(throws: PrivateLearningError.self) { try r.makeLayer("conv2d", parameters: ["filters": .int(4), "kernel_size": .int(3), "padding": .string("causal")]) }
        #expect(throws: PrivateLearningError.self) { try r.makeLayer("reshape", parameters: ["target_shape": .list([.int(0), .int(2)])]) }
        // Shapes that do not fit are refused at build time with the layer's position.
        #expect(throws: PrivateLearningError.self) {
            _ = try Sequential(inputShape: [3, 3, 1], layers: [Convolution(spatialRank: 2, filters: 2, kernelSize: [5, 5])])
        }
        #expect(throws: PrivateLearningError.self) {
            _ = try Sequential(inputShape: [4, 4, 6], layers: [GroupNormalization(groups: 4)])
        }
        // Round trip through the configuration.
        let again = try r.makeLayer("conv2d", parameters: conv.configuration)
        #expect(again.configuration == conv.configuration)
    }

    static func cnn(seed: UInt64) throws -> Sequential {
        try Sequential(inputShape: [36], seed: seed) {
            Reshape(targetShape: [6, 6, 1])
            Convolution(spatialRank: 2, filters: 4, kernelSize: [3, 3], strides: [2, 2], padding: .same, activation: .relu)
            GroupNormalization(groups: 2)
            Pooling(.max, spatialRank: 2, poolSize: [2, 2], strides: [1, 1])
            Convolution(spatialRank: 2, filters: 3, kernelSize: [2, 2], activation: .tanh)
            Flatten()
            Dense(1, activation: .sigmoid)
        }
    }

    @Test func dpTrainingWithZeroNoiseAndHugeClipEqualsPlainTraining() throws {
        let x = Fixtures.gaussian(shape: [24, 36], seed: 31)
        let y = Fixtures.binaryLabels(24, seed: 32)
        let plain = try Self.cnn(seed: 3)
        plain.compile(optimizer: SGD(learningRate: 0.1), loss: BinaryCrossentropy())
        _ = try plain.fit(x, y, epochs: 3, batchSize: 24, seed: 1)
        let privateNet = try Self.cnn(seed: 3)
        let dp = try PrivateModel(model: privateNet, l2NormClip: 1e6, noiseMultiplier: 0, noise: .seeded(1),
                                  lossTracking: .off, registry: Self.registry())
        dp.threadCount = 2
        dp.compile(optimizer: SGD(learningRate: 0.1), loss: BinaryCrossentropy())
        _ = try dp.fit(try WithoutReplacementLoader(features: x, labels: y, batchSize: 24), epochs: 3, targetDelta: 1e-5)
        assertClose(privateNet.parameters.flatMap(\.storage), plain.parameters.flatMap(\.storage), rtol: 1e-3, atol: 1e-5)
    }

    @Test func cnnPerUnitNormsEqualTheOneExampleLoop() throws {
        let m = try Self.cnn(seed: 4)
        let x = Fixtures.gaussian(shape: [10, 36], seed: 33)
        let y = Fixtures.binaryLabels(10, seed: 34)
        let units = [0, 1, 2, 0, 1, 3, 3, 4, 2, 0]
        var unitGradients = [[Float]](repeating: [], count: 5)
        for i in 0..<10 {
            let g = m.weightedGradients(x.gatheringRows([i]), y.gatheringRows([i]), loss: BinaryCrossentropy()).flatMap(\.storage)
            unitGradients[units[i]] = unitGradients[units[i]].isEmpty ? g : zip(unitGradients[units[i]], g).map { $0 + $1 }
        }
        let expected = unitGradients.map { $0.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot() }
        let dp = try PrivateModel(model: m, l2NormClip: 1, noiseMultiplier: 0, noise: .seeded(1), lossTracking: .off, registry: Self.registry())
        dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
        let norms = try dp.perUnitGradientNorms(TrainingBatch(features: x, labels: y, units: units, unitCount: 5))
        assertClose(norms, expected, rtol: 1e-3, atol: 1e-6)
    }
}

extension ImageLayerTests {
    @Test func reshapeWithTwoUnknownSizesIsRefusedAtBuild() throws {
        #expect(throws: PrivateLearningError.self) { _ = try Sequential(inputShape: [4], layers: [Reshape(targetShape: [-1, -1])]) }
        #expect(throws: PrivateLearningError.self) { _ = try Sequential(inputShape: [5], layers: [Reshape(targetShape: [2, -1])]) }
    }
}
