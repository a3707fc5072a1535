import DPTestSupport
import Foundation
import PrivacyAccounting
import PrivateLearning
import StandardPlugins
import Testing

/// The redesigned core (issue 9, item 1): stateless layers on a tape, norm samplers registered by
/// layer type, per-unit clipping, the DP step as composed values, and one step on every core.
@Suite("Core: stateless layers, norm samplers, privatizer, threads")
struct CoreRedesignTests {
    static func registry() throws -> PluginRegistry {
        var r = PluginRegistry()
        try StandardPlugins.register(into: &r)
        return r
    }

    func model(seed: UInt64 = 5) throws -> Sequential {
        try Sequential(inputShape: [5], seed: seed) {
            Dense(8, activation: .relu)
            LayerNormalization()
            Dense(3, activation: .tanh)
            Dense(1, activation: .sigmoid)
        }
    }

    func batch(_ n: Int, seed: UInt64 = 11) -> (Tensor, Tensor) {
        var x = Fixtures.gaussian(shape: [n, 5], seed: seed)
        for r in stride(from: 0, to: n, by: 3) { for j in 0..<5 { x[r, j] *= 6 } }   // some get clipped
        return (x, Fixtures.binaryLabels(n, seed: seed + 1))
    }

    func norm(_ v: [Float]) -> Float { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    @Test("a norm sampler is registered per layer type; a second registration throws unless replacing")
    func normSamplerRegistration() throws {
        var r = try Self.registry()
        #expect(r.normSampler(for: Dense(2)) != nil)
        #expect(r.normSampler(for: Embedding(inputDim: 3, outputDim: 2)) != nil)
        #expect(r.normSampler(for: LayerNormalization()) != nil)
        #expect(r.normSampler(for: Flatten()) == nil)
        #expect(throws: PrivateLearningError.self) { try r.registerNormSampler(for: Dense.self, Dense.squaredNorms) }
        try r.registerNormSampler(for: Dense.self, replacing: true, Dense.squaredNorms)
        #expect(PluginRegistry().normSampler(for: Dense(2)) == nil)
    }

    @Test("two tapes of one model are independent: layers keep no batch state")
    func layersAreStateless() throws {
        let m = try model()
        let (x, y) = batch(9)
        let loss = BinaryCrossentropy()
        let whole = m.weightedGradients(x, y, loss: loss)
        // Interleave: forward of two different batches, then backward of the first.
        let first = m.forwardRecording(x)
        _ = m.forwardRecording(Fixtures.gaussian(shape: [4, 5], seed: 99))
        var tape = first.tape
        m.backward(loss.perExampleGradient(predictions: first.output, targets: y), tape: &tape)
        let again = m.parameterGradients(tape: tape, exampleWeights: nil)
        #expect(whole.flatMap(\.storage) == again.flatMap(\.storage))
    }

    /// Brute force: unit u's gradient is the sum of its rows' own gradients.
    func bruteUnitGradients(_ m: Sequential, _ x: Tensor, _ y: Tensor, units: [Int], count: Int) -> [[Float]] {
        let loss = BinaryCrossentropy()
        var out = [[Float]](repeating: [], count: count)
        for i in 0..<x.rows {
            let g = m.weightedGradients(x.gatheringRows([i]), y.gatheringRows([i]), loss: loss).flatMap(\.storage)
            let u = units[i]
            out[u] = out[u].isEmpty ? g : zip(out[u], g).map { $0 + $1 }
        }
        return out
    }

    @Test("per-unit clipping: with σ = 0 the step is Σ_u min(1, C/‖Σ_{i∈u} g_i‖)·Σ_{i∈u} g_i / (expected units)",
          arguments: [1, 3])
    func perUnitClipping(threads: Int) throws {
        let m = try model()
        let (x, y) = batch(40)
        let units = (0..<40).map { ($0 * 7) % 13 }          // 13 units, rows not contiguous
        let brute = bruteUnitGradients(m, x, y, units: units, count: 13)
        let norms = brute.map(norm)
        let clip = norms.sorted()[6]
        var expected = [Float](repeating: 0, count: brute[0].count)
        for g in brute {
            let c = min(1, clip * Float(1 - ClipFactor.relativeMargin) / norm(g))
            for j in expected.indices { expected[j] += c * g[j] / 10 }
        }
        let dp = try PrivateModel(model: m, l2NormClip: Double(clip), noiseMultiplier: 0, noise: .seeded(1),
                                  lossTracking: .off, registry: Self.registry())
        dp.threadCount = threads
        dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
        let batch = TrainingBatch(features: x, labels: y, units: units, unitCount: 13)
        let step = try dp.privatizedStep(batch, expectedBatchSize: 10)
        assertClose(step.gradients.flatMap(\.storage), expected, rtol: 2e-4, atol: 1e-6)
        assertClose(try dp.perUnitGradientNorms(batch), norms, rtol: 1e-4, atol: 1e-7)
        // Losses come back in batch order whatever the slicing.
        let direct = BinaryCrossentropy().perExampleLoss(predictions: m.forward(x, training: false), targets: y)
        assertClose(step.perExampleLosses, direct, rtol: 1e-5, atol: 1e-7)
    }

    @Test("the loss release clips per unit: Σ_u min(max(Σ_{i∈u} ℓ_i, 0), L) with σ = 0")
    func perUnitLossRelease() throws {
        let m = try model()
        let (x, y) = batch(12)
        let units = (0..<12).map { $0 / 4 }
        let dp = try PrivateModel(model: m, l2NormClip: 1, noiseMultiplier: 0, noise: .seeded(1),
                                  lossTracking: .privateEstimate(noiseRatio: 4, clip: 1.5), registry: Self.registry())
        dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
        let step = try dp.privatizedStep(TrainingBatch(features: x, labels: y, units: units, unitCount: 3), expectedBatchSize: 3)
        var expected = 0.0
        for u in 0..<3 { expected += min(1.5, max(0, (0..<4).reduce(0.0) { $0 + Double(step.perExampleLosses[u * 4 + $1]) })) }
        #expect(abs((step.noisyClippedLossSum ?? .nan) - expected) < 1e-9)
    }

    @Test("one step on several threads equals the one-thread step up to float summation order", arguments: [2, 3, 8])
    func threadsMatchOneThread(threads: Int) throws {
        let (x, y) = batch(150)
        func step(_ t: Int) throws -> [Float] {
            let dp = try PrivateModel(model: try model(), l2NormClip: 0.5, noiseMultiplier: 0, noise: .seeded(1),
                                      registry: Self.registry())
            dp.threadCount = t
            dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
            return try dp.privatizedStep(features: x, labels: y, expectedBatchSize: 150).gradients.flatMap(\.storage)
        }
        let one = try step(1), many = try step(threads)
        assertClose(many, one, rtol: 1e-5, atol: 1e-7)
    }

    @Test("noise is drawn once per step however many threads: seeded noise equals the one-thread noise")
    func noiseOncePerStep() throws {
        let (x, y) = batch(64)
        func step(_ t: Int) throws -> [Float] {
            let dp = try PrivateModel(model: try model(), l2NormClip: 1, noiseMultiplier: 2, noise: .seeded(7),
                                      lossTracking: .off, registry: Self.registry())
            dp.threadCount = t
            dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
            return try dp.privatizedStep(features: x, labels: y, expectedBatchSize: 64).gradients.flatMap(\.storage)
        }
        // Same seed: the noise vectors are identical, the clipped sums differ only by summation order.
        assertClose(try step(4), try step(1), rtol: 1e-5, atol: 1e-6)
    }

    @Test("DP training with σ = 0 and a huge clip equals plain training (full batches, SGD)")
    func zeroNoiseHugeClipEqualsPlain() throws {
        let (x, y) = batch(48)
        let plain = try model(seed: 3)
        plain.compile(optimizer: SGD(learningRate: 0.2), loss: BinaryCrossentropy())
        _ = try plain.fit(x, y, epochs: 4, batchSize: 48, seed: 1)
        let privateNet = try model(seed: 3)
        let dp = try PrivateModel(model: privateNet, l2NormClip: 1e6, noiseMultiplier: 0, noise: .seeded(1),
                                  lossTracking: .off, registry: Self.registry())
        dp.threadCount = 2
        dp.compile(optimizer: SGD(learningRate: 0.2), loss: BinaryCrossentropy())
        // B = N without replacement: every step takes all rows, divided by B — the plain mean gradient.
        _ = try dp.fit(try WithoutReplacementLoader(features: x, labels: y, batchSize: 48), epochs: 4, targetDelta: 1e-5)
        assertClose(privateNet.parameters.flatMap(\.storage), plain.parameters.flatMap(\.storage), rtol: 1e-4, atol: 1e-6)
    }

    /// Two simulated workers: this one holds `partner`'s clipped sum as the other worker's contribution.
    final class TwoWorkerReduction: GradientReduction, @unchecked Sendable {
        let isRoot: Bool
        let partnerFloats: [Float]
        var sums = 0, broadcasts = 0
        init(isRoot: Bool, partnerFloats: [Float]) { self.isRoot = isRoot; self.partnerFloats = partnerFloats }
        func sumAcrossWorkers(_ values: inout [Double]) throws { sums += 1 }
        func sumAcrossWorkers(_ values: inout [Float]) throws {
            sums += 1
            for i in values.indices { values[i] += partnerFloats[i] }
        }
        func broadcastFromRoot(_ values: inout [Float]) throws { broadcasts += 1 }
    }

    @Test("the privatizer sums across workers before noise, noises on the root only, then broadcasts")
    func reductionHook() throws {
        let m = try model()
        let (x, y) = batch(20)
        let dp = try PrivateModel(model: m, l2NormClip: 1, noiseMultiplier: 0, noise: .seeded(3), lossTracking: .off,
                                  registry: Self.registry())
        dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
        let local = try dp.privatizedStep(features: x, labels: y, expectedBatchSize: 40).gradients.flatMap(\.storage)
        // Worker 2 (not root) with σ > 0 must add no noise: its result is exactly the reduced sum.
        let reduction = TwoWorkerReduction(isRoot: false, partnerFloats: local)
        var privatizer = dp.privatizer
        privatizer.reduction = reduction
        privatizer.gradientNoiseMultiplier = 5
        let reduced = try privatizer.privatize(model: m, loss: BinaryCrossentropy(), batch: TrainingBatch(features: x, labels: y),
                                               expectedBatchSize: 40).gradients.flatMap(\.storage)
        assertClose(reduced, local.map { 2 * $0 }, rtol: 1e-6, atol: 1e-8)
        #expect(reduction.sums >= 1 && reduction.broadcasts == 1)
        // On the root the same call adds noise.
        let root = TwoWorkerReduction(isRoot: true, partnerFloats: local)
        privatizer.reduction = root
        let noisy = try privatizer.privatize(model: m, loss: BinaryCrossentropy(), batch: TrainingBatch(features: x, labels: y),
                                             expectedBatchSize: 40).gradients.flatMap(\.storage)
        #expect(zip(noisy, local).contains { abs($0 - 2 * $1) > 1e-3 })
    }

    final class CountingHook: TrainingStepHook {
        var steps: [Int] = []
        var snapshots: [[Tensor]] = []
        func didUpdate(step: Int, parameters: [Tensor]) { steps.append(step); snapshots.append(parameters) }
    }

    struct ZeroAfterFirst: LearningRateSchedule {
        func learningRate(step: Int, base: Double, totalSteps: Int) -> Double { step == 0 ? base : 0 }
    }

    @Test("step hooks run after every update; a learning-rate schedule sets the rate of each step")
    func hooksAndSchedule() throws {
        let m = try model()
        let (x, y) = batch(32)
        let dp = try PrivateModel(model: m, l2NormClip: 1, noiseMultiplier: 0.5, noise: .seeded(3), registry: Self.registry())
        let hook = CountingHook()
        dp.stepHooks = [hook]
        dp.learningRateSchedule = ZeroAfterFirst()
        dp.compile(optimizer: SGD(learningRate: 0.1), loss: BinaryCrossentropy())
        let loader = try PoissonLoader(features: x, labels: y, batchSize: 8)
        let before = m.parameters
        let h = try dp.fit(loader, epochs: 1, targetDelta: 1e-5)
        #expect(h.steps == 4 && hook.steps == [1, 2, 3, 4])
        #expect(hook.snapshots.last == m.parameters)
        // Only the first update moved the parameters (rate 0 afterwards).
        #expect(hook.snapshots[0] != before)
        #expect(hook.snapshots.allSatisfy { $0 == hook.snapshots[0] })
    }

    @Test("the accountant stepped per step gives the ε of the whole run (RDP and PLD), through PrivacyAccountant")
    func accountingHook() throws {
        let (x, y) = batch(64)
        let dp = try PrivateModel(model: try model(), l2NormClip: 1, noiseMultiplier: 1.1, noise: .seeded(3),
                                  registry: Self.registry())
        dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
        let loader = try PoissonLoader(features: x, labels: y, batchSize: 16)
        let h = try dp.fit(loader, epochs: 2, targetDelta: 1e-5)
        let expected = try dpsgdEpsilon(samplingRate: 0.25, noiseMultiplier: 1.1, steps: 8, delta: 1e-5, relation: .addRemove)
        #expect(dp.accounting?.steps == 8)
        let reported: Double = (h.epsilon.last ?? nil) ?? .nan
        #expect(abs(reported - expected) <= 1e-9 * expected)
    }

    @Test("TrainingBatch: unit count defaults to the rows, or to the largest unit index + 1")
    func trainingBatchDefaults() {
        let x = Tensor(zeros: [5, 2]), y = Tensor(zeros: [5, 1])
        #expect(TrainingBatch(features: x, labels: y).unitCount == 5)
        #expect(TrainingBatch(features: x, labels: y, units: [0, 2, 2, 1, 0]).unitCount == 3)
        let u = PrivacyUnits(unitOfRow: [0, 2, 2, 1, 0], count: 3)
        #expect(Array(u.rows(of: 0)) == [0, 4] && Array(u.rows(of: 2)) == [1, 2])
    }

    @Test("a model takes flat rows or shaped [B, H, W, C] batches alike")
    func shapedInputs() throws {
        let m = try Sequential(inputShape: [2, 3, 2], seed: 1) {
            Flatten()
            Dense(2)
        }
        let x = Fixtures.gaussian(shape: [4, 2, 3, 2], seed: 1)
        #expect(m.forward(x, training: false) == m.forward(x.reshaped([4, 12]), training: false))
        #expect(m.predict(x.reshaped([4, 12])).shape == [4, 2])
        // The N-d input shape survives save/load, and a private step runs on a shaped batch.
        let loaded = try ModelFile(m).makeModel(registry: Self.registry())
        #expect(loaded.inputShape == [2, 3, 2] && loaded.predict(x) == m.predict(x))
        let dp = try PrivateModel(model: m, l2NormClip: 1, noiseMultiplier: 0, noise: .seeded(1), registry: Self.registry())
        dp.compile(optimizer: SGD(), loss: MeanSquaredError())
        let shaped = try dp.privatizedStep(TrainingBatch(features: x, labels: Fixtures.gaussian(shape: [4, 2], seed: 2)),
                                           expectedBatchSize: 4)
        let flat = try dp.privatizedStep(TrainingBatch(features: x.reshaped([4, 12]), labels: Fixtures.gaussian(shape: [4, 2], seed: 2)),
                                         expectedBatchSize: 4)
        #expect(shaped.gradients == flat.gradients)
    }
}
