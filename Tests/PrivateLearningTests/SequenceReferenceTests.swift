import DPTestSupport
import PrivateLearning
import StandardPlugins
import Testing

/// gru, lstm, bidirectional and embedding(mask_zero) → global_average_pooling1d against Keras 3
/// (values made by scripts/reference/sequence_layers.py): forward output, input gradient and weight
/// gradients of Σ y·gy, with padding masks, in Keras' weight layout and order.
@Suite struct SequenceReferenceTests {
    static let layers: [(SequenceReferenceCase, @Sendable () -> any Layer)] = [
        (SequenceReferenceValues.lstmSequenceMasked, { Recurrent(.lstm, units: 3, returnSequences: true) }),
        (SequenceReferenceValues.lstmLastMasked, { Recurrent(.lstm, units: 3) }),
        (SequenceReferenceValues.lstmLast, { Recurrent(.lstm, units: 2) }),
        (SequenceReferenceValues.gruSequenceMasked, { Recurrent(.gru, units: 3, returnSequences: true) }),
        (SequenceReferenceValues.gruLast, { Recurrent(.gru, units: 3) }),
        (SequenceReferenceValues.gruLastMasked, { Recurrent(.gru, units: 2) }),
        (SequenceReferenceValues.bidirectionalGruSequenceMasked, {
            try! StandardPluginsTestAccess.registry().makeLayer("bidirectional", parameters: [
                "layer": .string("gru"), "units": .int(2), "return_sequences": .bool(true)]) }),
        (SequenceReferenceValues.bidirectionalLstmLastMasked, {
            try! StandardPluginsTestAccess.registry().makeLayer("bidirectional", parameters: ["layer": .string("lstm"), "units": .int(2)]) }),
    ]

    @Test(arguments: layers.map(\.0.name))
    func recurrentLayerMatchesKeras(_ name: String) throws {
        let (r, make) = Self.layers.first { $0.0.name == name }!
        let layer = make()
        var g: any RandomNumberGenerator = SeededRandomSource(seed: 1)
        let out = try layer.build(inputShape: Array(r.inputShape.dropFirst()), index: 0, using: &g)
        #expect([r.inputShape[0]] + out == r.outputShape)
        #expect(layer.parameters.map(\.shape) == r.weightShapes)
        layer.parameters = zip(r.weights, r.weightShapes).map { Tensor(shape: $1, values: $0) }
        let mask = r.mask.isEmpty ? nil : SequenceMask(steps: r.inputShape[1], values: r.mask.map { $0 > 0.5 })
        let (y, saved, _) = layer.forwardPassingMask(Tensor(shape: r.inputShape, values: r.x), mask: mask, training: true)
        assertClose(y.storage, r.y, rtol: 1e-4, atol: 1e-5, "output")
        let gy = Tensor(shape: r.outputShape, values: r.gy)
        assertClose(layer.backward(gy, saved: saved).storage, r.dx, rtol: 1e-4, atol: 1e-5, "input gradient")
        for (k, grad) in layer.parameterGradients(outputGradient: gy, saved: saved, exampleWeights: nil).enumerated() {
            assertClose(grad.storage, r.weightGradients[k], rtol: 1e-4, atol: 1e-5, "weight \(k)")
        }
    }

    @Test func maskedEmbeddingAverageMatchesKeras() throws {
        let r = SequenceReferenceValues.embeddingMaskedAverage
        let model = try Sequential(inputShape: [r.inputShape[1]], layers: [Embedding(inputDim: 7, outputDim: 3, maskZero: true),
                                                                           GlobalPooling(.average, spatialRank: 1)], seed: 1)
        model.parameters = [Tensor(shape: r.weightShapes[0], values: r.weights[0])]
        let recorded = model.forwardRecording(Tensor(shape: r.inputShape, values: r.x))
        var tape = recorded.tape
        // Keras divides by the number of real steps; an all-padding example is 0/0 = NaN there, 0 here.
        let finite = r.y.indices.filter { r.y[$0].isFinite }
        assertClose(finite.map { recorded.output.storage[$0] }, finite.map { r.y[$0] }, rtol: 1e-5, atol: 1e-6)
        let allFinite = recorded.output.storage.allSatisfy { $0.isFinite }
        #expect(finite.count < r.y.count)
        #expect(allFinite)
        model.backward(Tensor(shape: r.outputShape, values: r.gy), tape: &tape)
        let grads = model.parameterGradients(tape: tape, exampleWeights: nil)
        // Keras' gradient is NaN only through the all-padding example's 0/0; compare where it is finite.
        let keep = r.weightGradients[0].indices.filter { r.weightGradients[0][$0].isFinite }
        assertClose(keep.map { grads[0].storage[$0] }, keep.map { r.weightGradients[0][$0] }, rtol: 1e-5, atol: 1e-6)
    }
}
