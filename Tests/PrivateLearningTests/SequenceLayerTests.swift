import DPTestSupport
import PrivateLearning
import StandardPlugins
import Testing

/// Test-only adapter that lets `LayerConformance` drive a mask-aware layer with a mask: per
/// example `[T, C + 1]`, the last channel is the mask (> 0.5 = real step). Its norm sampler is the
/// wrapped layer's registered one, so the check covers the sampler under masks.
final class MaskChannel: Layer {
    let inner: any Layer
    var typeName: String { "masked " + inner.typeName }
    var configuration: PluginParameters { inner.configuration }
    var parameters: [Tensor] { get { inner.parameters } set { inner.parameters = newValue } }
    private var steps = 0, channels = 0

    init(_ inner: any Layer) { self.inner = inner }

    func build(inputShape: [Int], index: Int, using g: inout any RandomNumberGenerator) throws -> [Int] {
        steps = inputShape[0]
        channels = inputShape[1] - 1
        return try inner.build(inputShape: [steps, channels], index: index, using: &g)
    }

    func split(_ x: Tensor) -> (Tensor, SequenceMask) {
        let b = x.rows
        var values = [Float](), mask = [Bool]()
        for r in 0..<(b * steps) {
            values += x.storage[(r * (channels + 1))..<(r * (channels + 1) + channels)]
            mask.append(x.storage[r * (channels + 1) + channels] > 0.5)
        }
        return (Tensor(shape: [b, steps, channels], values: values), SequenceMask(steps: steps, values: mask))
    }

    func forward(_ input: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        let (x, mask) = split(input)
        let r = inner.forwardPassingMask(x, mask: mask, training: training)
        return (r.output, r.saved)
    }

    func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor {
        let dx = inner.backward(outputGradient, saved: saved)
        var out = [Float]()
        for r in 0..<(dx.rows * steps) { out += dx.storage[(r * channels)..<((r + 1) * channels)] + [0] }
        return Tensor(shape: [dx.rows, steps, channels + 1], values: out)
    }

    func parameterGradients(outputGradient: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] {
        inner.parameterGradients(outputGradient: outputGradient, saved: saved, exampleWeights: exampleWeights)
    }

    /// The standard registry plus this adapter's sampler (the wrapped layer's).
    static func registry() throws -> PluginRegistry {
        var r = try StandardPluginsTestAccess.registry()
        let base = r
        try r.registerNormSampler(for: MaskChannel.self) { layer, input in
            perUnitSquaredGradientNorms(of: layer.inner, input, registry: base)
        }
        return r
    }

    /// Standard-normal features with a mask channel: example 0 all real, the others with padding
    /// at the end and one inner padding step.
    static func inputs(batch: Int, steps: Int, channels: Int, seed: UInt64) -> Tensor {
        var g = SeededRandomSource(seed: seed)
        var values = [Float]()
        for b in 0..<batch {
            for t in 0..<steps {
                for _ in 0..<channels { values.append(Float(GaussianSampling.standardNormal(using: &g))) }
                let padded = b > 0 && (t >= steps - b % 3 || t == 1 + b % 2)
                values.append(padded ? 0 : 1)
            }
        }
        return Tensor(shape: [batch, steps, channels + 1], values: values)
    }
}

/// gru, lstm, bidirectional, embedding(mask_zero) and masked global_average_pooling1d: conformance
/// (per-example gradients and per-unit norms against a one-example loop, every reduction, finite
/// differences), with and without masks; mask flow through `Sequential`; declarations.
@Suite struct SequenceLayerTests {
    static let recurrent: [(String, @Sendable () -> any Layer, [Int])] = [
        ("gru last", { Recurrent(.gru, units: 3) }, [4, 2]),
        ("gru sequences", { Recurrent(.gru, units: 2, returnSequences: true) }, [3, 3]),
        ("gru no bias relu", { Recurrent(.gru, units: 2, activation: .relu, useBias: false) }, [3, 2]),
        ("lstm last", { Recurrent(.lstm, units: 3) }, [4, 2]),
        ("lstm sequences", { Recurrent(.lstm, units: 2, returnSequences: true) }, [3, 3]),
        ("bidirectional gru sequences", {
            Bidirectional(forward: Recurrent(.gru, units: 2, returnSequences: true, zeroOutputForMask: true),
                          backward: Recurrent(.gru, units: 2, returnSequences: true, zeroOutputForMask: true)) }, [3, 2]),
        ("bidirectional lstm last", { Bidirectional(forward: Recurrent(.lstm, units: 2), backward: Recurrent(.lstm, units: 2)) }, [4, 2]),
    ]

    @Test(arguments: recurrent.map(\.0))
    func recurrentLayerConforms(_ name: String) throws {
        let (_, make, shape) = Self.recurrent.first { $0.0 == name }!
        let report = try LayerConformance.check(make, inputShape: shape, batchSize: 5, seed: 3, relativeTolerance: 3e-3,
                                                registry: StandardPluginsTestAccess.registry())
        #expect(report.maxRelativeErrors.keys.contains("registered norm sampler, per-unit squared norms"))
        #expect(report.passed, "\(report)")
    }

    @Test(arguments: recurrent.map(\.0) + ["global_average_pooling1d"])
    func maskedLayerConforms(_ name: String) throws {
        var make: @Sendable () -> any Layer = { GlobalPooling(.average, spatialRank: 1) }
        var shape = [5, 3]
        if let entry = Self.recurrent.first(where: { $0.0 == name }) {
            make = entry.1
            shape = entry.2
        }
        let makeLayer = make
        let steps = shape[0] + 1, channels = shape[1]
        let report = try LayerConformance.check({ MaskChannel(makeLayer()) }, inputShape: [steps, channels + 1], seed: 5,
                                                relativeTolerance: 3e-3,
                                                inputs: MaskChannel.inputs(batch: 5, steps: steps, channels: channels, seed: 9),
                                                registry: MaskChannel.registry())
        #expect(report.passed, "\(report)")
    }

    /// Ghost and direct norms agree: many steps and few units make the direct product the cheaper
    /// one, few steps and many units the ghost one; both go through the conformance check.
    @Test func ghostAndDirectNormPathsBothConform() throws {
        #expect(ConvolutionKernels.prefersGhostNorm(rows: 2, patchSize: 16, filters: 48))
        #expect(!ConvolutionKernels.prefersGhostNorm(rows: 30, patchSize: 2, filters: 12))
        for (units, shape) in [(16, [2, 16]), (3, [30, 2])] {
            let report = try LayerConformance.check({ Recurrent(.gru, units: units) }, inputShape: shape, batchSize: 3, seed: 4,
                                                    relativeTolerance: 3e-3, finiteDifferences: false,
                                                    registry: StandardPluginsTestAccess.registry())
            #expect(report.passed, "\(report)")
        }
    }

    /// `embedding(mask_zero)` → `gru`: padding at the end gives the same output as the unpadded
    /// sequence (the state carries through), and padding inside is skipped too.
    @Test func maskFlowsThroughSequential() throws {
        let padded = try Sequential(inputShape: [6], layers: [Embedding(inputDim: 9, outputDim: 3, maskZero: true),
                                                              Recurrent(.gru, units: 4)], seed: 1)
        let short = try Sequential(inputShape: [3], layers: [Embedding(inputDim: 9, outputDim: 3, maskZero: true),
                                                             Recurrent(.gru, units: 4)], seed: 1)
        short.parameters = padded.parameters
        let a = padded.forward(Tensor(shape: [2, 6], values: [4, 0, 7, 2, 0, 0, 5, 5, 1, 0, 0, 0]), training: false)
        let b = short.forward(Tensor(shape: [2, 3], values: [4, 7, 2, 5, 5, 1]), training: false)
        assertClose(a.storage, b.storage, rtol: 1e-5, atol: 1e-5)
        // Without mask_zero the padding steps change the state.
        let unmasked = try Sequential(inputShape: [6], layers: [Embedding(inputDim: 9, outputDim: 3), Recurrent(.gru, units: 4)], seed: 1)
        unmasked.parameters = padded.parameters
        let c = unmasked.forward(Tensor(shape: [2, 6], values: [4, 0, 7, 2, 0, 0, 5, 5, 1, 0, 0, 0]), training: false)
        #expect(zip(a.storage, c.storage).contains { abs($0 - $1) > 1e-3 })
        // The recorded pass uses the same mask (the tape needs nothing new).
        let recorded = padded.forwardRecording(Tensor(shape: [2, 6], values: [4, 0, 7, 2, 0, 0, 5, 5, 1, 0, 0, 0]))
        assertClose(recorded.output.storage, a.storage, rtol: 1e-6, atol: 1e-6)
    }

    /// Masked average pooling averages the real steps only; an all-padding example gives zeros.
    @Test func maskedAveragePoolingSkipsPadding() throws {
        let model = try Sequential(inputShape: [4], layers: [Embedding(inputDim: 5, outputDim: 2, maskZero: true),
                                                             GlobalPooling(.average, spatialRank: 1)], seed: 2)
        let e = model.parameters[0].storage
        let y = model.forward(Tensor(shape: [2, 4], values: [1, 3, 0, 0, 0, 0, 0, 0]), training: false)
        assertClose(Array(y.storage[0..<2]), [(e[2] + e[6]) / 2, (e[3] + e[7]) / 2], rtol: 1e-6, atol: 1e-6)
        #expect(y.storage[2] == 0 && y.storage[3] == 0)
    }

    @Test func registryBuildsKerasDefaults() throws {
        let r = try StandardPluginsTestAccess.registry()
        let gru = try #require(try r.makeLayer("gru", parameters: ["units": .int(8)]) as? Recurrent)
        #expect(gru.cell == .gru && gru.activation == .tanh && gru.recurrentActivation == .sigmoid && gru.useBias && !gru.returnSequences)
        let lstm = try #require(try r.makeLayer("lstm", parameters: ["units": .int(4), "return_sequences": .bool(true)]) as? Recurrent)
        #expect(lstm.unitForgetBias && lstm.returnSequences && lstm.recurrentInitializer == "orthogonal")
        let bi = try #require(try r.makeLayer("bidirectional", parameters: ["layer": .string("lstm"), "units": .int(4)]) as? Bidirectional)
        #expect(bi.forwardLayer.cell == .lstm && bi.backwardLayer.units == 4)
        let emb = try #require(try r.makeLayer("embedding", parameters: ["input_dim": .int(10), "output_dim": .int(4),
                                                                         "mask_zero": .bool(true)]) as? Embedding)
        #expect(emb.maskZero)
        #expect(throws: PrivateLearningError.self) { try r.makeLayer("gru", parameters: ["units": .int(0)]) }
        #expect(throws: PrivateLearningError.self) { try r.makeLayer("lstm", parameters: ["units": .int(2), "activation": .string("softmax")]) }
        #expect(throws: PrivateLearningError.self) { try r.makeLayer("gru", parameters: ["units": .int(2), "reset_after": .bool(false)]) }
        #expect(throws: PrivateLearningError.self) { try r.makeLayer("bidirectional", parameters: ["layer": .string("dense"), "units": .int(2)]) }
        #expect(throws: PrivateLearningError.self) { _ = try Sequential(inputShape: [5], layers: [Recurrent(.gru, units: 2)]) }

        // Keras initial weights: LSTM bias has the forget gate at 1; the recurrent kernel has orthonormal rows.
        var g: any RandomNumberGenerator = SeededRandomSource(seed: 3)
        let l = Recurrent(.lstm, units: 3)
        _ = try l.build(inputShape: [4, 2], index: 0, using: &g)
        #expect(l.parameters.map(\.shape) == [[2, 12], [3, 12], [12]])
        #expect(l.parameters[2].storage == [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
        let u = l.parameters[1].storage
        for i in 0..<3 {
            for j in 0..<3 {
                let dot = (0..<12).reduce(Float(0)) { $0 + u[i * 12 + $1] * u[j * 12 + $1] }
                #expect(abs(dot - (i == j ? 1 : 0)) < 1e-4)
            }
        }
        let gr = Recurrent(.gru, units: 3)
        _ = try gr.build(inputShape: [4, 2], index: 0, using: &g)
        #expect(gr.parameters.map(\.shape) == [[2, 9], [3, 9], [2, 9]])
    }

    /// A hostile input (NaN, huge values) never traps and stays in its own row.
    @Test func nonFiniteInputStaysInItsRow() throws {
        let model = try Sequential(inputShape: [3, 2], layers: [Recurrent(.lstm, units: 2)], seed: 4)
        let y = model.forward(Tensor(shape: [2, 3, 2], values: [.nan, 1, 2, 3, 4, 5, 1e30, -1e30, 0.5, 0.25, 0, 1]), training: false)
        let secondRowFinite = y.storage[2...].allSatisfy { $0.isFinite }
        #expect(secondRowFinite)
    }
}
