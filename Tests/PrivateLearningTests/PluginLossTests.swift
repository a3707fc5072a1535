import DPTestSupport
import PrivateLearning
import StandardPlugins
import Testing

/// Standard losses added by the plugin pack. Reference values come from Keras 3.15.1
/// (`scripts/plugins/reference_values.py`, float32, reduction=None).
@Suite("Plugins: losses")
struct PluginLossTests {
    // Inputs shared with scripts/plugins/reference_values.py.
    static let probs = Tensor([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.2, 0.2, 0.1], [0.0, 0.5, 0.5]])
    static let onehot = Tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]])
    static let labels = Tensor(shape: [4, 1], values: [0, 1, 2, 0])
    static let logits = Tensor([[2, -1, 0.5], [0, 0, 0], [-3, 4, 1], [10, -10, 0]])
    static let regressionPredictions = Tensor([[0.5, 2.0], [-1.0, 3.0], [0.25, -0.75]])
    static let regressionTargets = Tensor([[0.0, 0.0], [0.0, 0.5], [0.0, 0.0]])

    // MARK: Keras reference values (rtol 1e-5: float32 rounding of log/exp on O(1)..O(16) values)

    @Test("categorical_crossentropy matches Keras on probabilities (unnormalised rows, a zero clipped to 1e-7)")
    func categoricalKerasProbabilities() {
        assertClose(CategoricalCrossentropy().perExampleLoss(predictions: Self.probs, targets: Self.onehot),
                    [0.356674969, 2.30258512, 1.60943794, 16.1180954], rtol: 1e-5)
        assertClose(CategoricalCrossentropy(labelSmoothing: 0.1).perExampleLoss(predictions: Self.probs, targets: Self.onehot),
                    [0.463297427, 2.23327065, 1.56322813, 15.0897655], rtol: 1e-5)
    }

    @Test("categorical_crossentropy matches Keras from logits, including a saturated row")
    func categoricalKerasLogits() {
        assertClose(CategoricalCrossentropy(fromLogits: true).perExampleLoss(predictions: Self.logits, targets: Self.onehot),
                    [0.241311327, 1.09861231, 3.04945564, 4.54177061e-05], rtol: 1e-4, atol: 1e-7)
    }

    @Test("sparse_categorical_crossentropy matches Keras (probabilities and logits)")
    func sparseKeras() {
        assertClose(SparseCategoricalCrossentropy().perExampleLoss(predictions: Self.probs, targets: Self.labels),
                    [0.356674969, 2.30258512, 1.60943794, 16.1180954], rtol: 1e-5)
        assertClose(SparseCategoricalCrossentropy(fromLogits: true).perExampleLoss(predictions: Self.logits, targets: Self.labels),
                    [0.241311327, 1.09861231, 3.04945564, 4.54177061e-05], rtol: 1e-4, atol: 1e-7)
        // Labels of shape [batch] work like [batch, 1].
        let flat = Self.labels.reshaped([4])
        #expect(SparseCategoricalCrossentropy().perExampleLoss(predictions: Self.probs, targets: flat)
                == SparseCategoricalCrossentropy().perExampleLoss(predictions: Self.probs, targets: Self.labels))
    }

    @Test("mean_absolute_error and huber match Keras")
    func regressionKeras() {
        let p = Self.regressionPredictions, y = Self.regressionTargets
        assertClose(MeanAbsoluteError().perExampleLoss(predictions: p, targets: y), [1.25, 1.75, 0.5], rtol: 1e-6)
        assertClose(Huber().perExampleLoss(predictions: p, targets: y), [0.8125, 1.25, 0.15625], rtol: 1e-6)
        assertClose(Huber(delta: 0.5).perExampleLoss(predictions: p, targets: y), [0.5, 0.75, 0.140625], rtol: 1e-6)
    }

    // MARK: Gradients

    @Test("cross-entropy gradients match finite differences (probabilities, smoothing, logits)")
    func crossEntropyGradients() {
        // Rows away from the clip bounds (finite differences see the clip as a flat region).
        let p = Tensor([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.2, 0.2, 0.1], [0.3, 0.5, 0.4]])
        let y = Tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]])
        PluginGradientChecks.checkLossGradient(CategoricalCrossentropy(), predictions: p, targets: y)
        PluginGradientChecks.checkLossGradient(CategoricalCrossentropy(labelSmoothing: 0.2), predictions: p, targets: y)
        PluginGradientChecks.checkLossGradient(CategoricalCrossentropy(fromLogits: true), predictions: Self.logits, targets: Self.onehot)
        // Soft targets with logits (Σy ≠ 1 exercises the softmax·Σy term).
        let soft = Tensor([[0.5, 0.25, 0.25], [0, 0, 0], [0.2, 0.3, 0.1], [1, 1, 0]])
        PluginGradientChecks.checkLossGradient(CategoricalCrossentropy(fromLogits: true), predictions: Self.logits, targets: soft)
        PluginGradientChecks.checkLossGradient(SparseCategoricalCrossentropy(), predictions: p, targets: Self.labels)
        PluginGradientChecks.checkLossGradient(SparseCategoricalCrossentropy(fromLogits: true), predictions: Self.logits, targets: Self.labels)
    }

    @Test("mean_absolute_error and huber gradients match finite differences away from kinks")
    func regressionGradients() {
        let p = Self.regressionPredictions, y = Self.regressionTargets
        // MAE: |ŷ − y| ∈ {0.5, 2, 1, 2.5, 0.25, 0.75}, all ≫ h (no kink at 0 inside ±h).
        // Huber with targets + 0.1: |x| ∈ {0.4, 1.9, 1.1, 2.4, 0.15, 0.85}, ≥ 0.1 from δ = 1 and δ = 0.5.
        PluginGradientChecks.checkLossGradient(MeanAbsoluteError(), predictions: p, targets: y)
        PluginGradientChecks.checkLossGradient(Huber(), predictions: p, targets: Self.regressionTargets.offset(by: 0.1))
        PluginGradientChecks.checkLossGradient(Huber(delta: 0.5), predictions: p, targets: Self.regressionTargets.offset(by: 0.1))
    }

    @Test("every new loss is per example: rows alone equal the batch, and reductions combine them")
    func perExampleAndReductions() {
        PluginGradientChecks.checkPerExample(CategoricalCrossentropy(), predictions: Self.probs, targets: Self.onehot)
        PluginGradientChecks.checkPerExample(CategoricalCrossentropy(fromLogits: true), predictions: Self.logits, targets: Self.onehot)
        PluginGradientChecks.checkPerExample(SparseCategoricalCrossentropy(), predictions: Self.probs, targets: Self.labels)
        PluginGradientChecks.checkPerExample(SparseCategoricalCrossentropy(fromLogits: true), predictions: Self.logits, targets: Self.labels)
        PluginGradientChecks.checkPerExample(MeanAbsoluteError(), predictions: Self.regressionPredictions, targets: Self.regressionTargets)
        PluginGradientChecks.checkPerExample(Huber(), predictions: Self.regressionPredictions, targets: Self.regressionTargets)
    }

    // MARK: Softmax composition

    /// Softmax activation layer followed by a probability cross-entropy: the layer's
    /// backward pass applied to the loss gradient must equal the finite-difference gradient
    /// of `ℓ(softmax(z))` with respect to `z`, and the closed form `softmax(z) − y`.
    @Test("softmax layer + cross-entropy on probabilities composes to softmax(z) − y", arguments: [false, true])
    func softmaxComposition(sparse: Bool) {
        let z = Fixtures.gaussian(shape: [5, 4], seed: 11, scale: 2)
        let classes: [Float] = [0, 3, 1, 2, 3]
        let targets = sparse ? Tensor(shape: [5, 1], values: classes)
            : Tensor(shape: [5, 4], values: classes.flatMap { c in (0..<4).map { Float($0) == c ? 1 : 0 } })
        let loss: any Loss = sparse ? SparseCategoricalCrossentropy() : CategoricalCrossentropy()
        let softmax = Activation(.softmax)
        let (a, saved) = softmax.forward(z, training: true)
        let dz = softmax.backward(loss.perExampleGradient(predictions: a, targets: targets), saved: saved)

        var closed = a
        for r in 0..<5 { closed[r, Int(classes[r])] -= 1 }
        assertClose(dz.storage, closed.storage, rtol: 1e-4, atol: 1e-6, "closed form")

        // Finite differences of each example's loss through softmax (h = 1e-2 on logits of
        // scale 2: truncation h²·|ℓ'''|/6 ≲ 2e-5, rounding 1e-7·ℓ/h ≲ 1e-4).
        let h: Float = 1e-2
        var numeric = [Float](repeating: 0, count: z.count)
        for j in 0..<z.count {
            var up = z, down = z
            up.storage[j] += h
            down.storage[j] -= h
            let row = j / 4
            let lu = loss.perExampleLoss(predictions: Activation(.softmax)(up), targets: targets)[row]
            let ld = loss.perExampleLoss(predictions: Activation(.softmax)(down), targets: targets)[row]
            numeric[j] = (lu - ld) / (2 * h)
        }
        assertClose(dz.storage, numeric, rtol: 1e-2, atol: 1e-3, "finite differences")
    }

    /// Softmax probabilities below the 1e-7 clip bound: Keras' hard clip has a zero
    /// derivative there (training would stall on a confidently wrong example); our gradient
    /// uses the clipped value, so the true class still gets `−a_true/1e-7` (here ≈ −0.02).
    @Test("a softmax output under the clip bound still gets a gradient towards the right class")
    func clippedProbabilityStillTrains() {
        let z = Tensor([[12, -8, 0]])           // softmax ≈ [1, 2e-9, 6e-6]: true class 1 is clipped
        let softmax = Activation(.softmax)
        let (a, saved) = softmax.forward(z, training: true)
        #expect(a[0, 1] < 1e-7)
        let dz = softmax.backward(SparseCategoricalCrossentropy().perExampleGradient(predictions: a, targets: Tensor([[1]])), saved: saved)
        #expect(dz[0, 0] > 1e-3, "the wrong, dominant class is pushed down")
        #expect(dz[0, 1] < -1e-3, "the true class is pushed up")
        #expect(SparseCategoricalCrossentropy().perExampleLoss(predictions: a, targets: Tensor([[1]]))[0].isFinite)
    }

    @Test("logits and probability forms agree on softmax outputs")
    func logitsAgreeWithProbabilities() {
        let z = Fixtures.gaussian(shape: [6, 5], seed: 3)
        let p = Activation(.softmax)(z)
        let labels = Tensor(shape: [6, 1], values: [0, 4, 2, 2, 1, 3])
        assertClose(SparseCategoricalCrossentropy(fromLogits: true).perExampleLoss(predictions: z, targets: labels),
                    SparseCategoricalCrossentropy().perExampleLoss(predictions: p, targets: labels), rtol: 1e-4)
    }

    @Test("sparse label validation counts bad labels without printing them")
    func sparseValidation() throws {
        let loss = SparseCategoricalCrossentropy()
        try loss.validateTargets(Self.labels, classes: 3)
        let bad = Tensor(shape: [4, 1], values: [0, 3, 1.5, -1])
        do {
            try loss.validateTargets(bad, classes: 3)
            Issue.record("invalid labels accepted")
        } catch let error as PrivateLearningError {
            let text = error.description
            #expect(text.contains("3 label(s)") && text.contains("[0, 3)"))
            #expect(!text.contains("1.5") && !text.contains("-1"), "no label value in the message")
        }
        #expect(throws: PrivateLearningError.self) { try loss.validateTargets(Self.onehot, classes: 3) }
    }
}

extension Tensor {
    /// Every element plus `value`.
    func offset(by value: Float) -> Tensor { Tensor(shape: shape, values: storage.map { $0 + value }) }
}
