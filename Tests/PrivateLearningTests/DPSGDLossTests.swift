import DPTestSupport
import Foundation
import PrivacyAccounting
import PrivateLearning
import StandardPlugins
import Testing

/// Leaves the parameters unchanged, so every step of a fit sees the same model and the exact
/// mean loss is a fixed number to compare the released estimate with.
final class FrozenOptimizer: Optimizer {
    var typeName: String { "frozen" }
    var configuration: PluginParameters { [:] }
    func update(parameters: inout [Tensor], gradients: [Tensor]) {}
}

/// The training loss of a private run is a DP release (`LossTracking`), never the exact mean.
@Suite("DP-SGD: private training loss")
struct DPSGDLossTests {
    static func data(_ n: Int, seed: UInt64 = 1) -> (Tensor, Tensor) {
        (Fixtures.gaussian(shape: [n, 4], seed: seed), Fixtures.binaryLabels(n, seed: seed + 1))
    }

    static func model() throws -> Sequential {
        try Sequential(inputShape: [4], layers: [Dense(3, activation: .tanh), Dense(1, activation: .sigmoid)], seed: 1)
    }

    /// Per-example BCE losses of `m` on (x, y), in Double.
    static func losses(_ m: Sequential, _ x: Tensor, _ y: Tensor) -> [Double] {
        BinaryCrossentropy().perExampleLoss(predictions: m.predict(x), targets: y).map(Double.init)
    }

    @Test("σ_g = σ·√(1+1/k²), σ_L = k·σ_g and 1/σ_g² + 1/σ_L² = 1/σ²; `.off` keeps σ_g = σ",
          arguments: [0.3, 1.0, 3.7])
    func noiseSplitIdentity(sigma: Double) throws {
        for k in [0.25, 1, 4, 10] {
            let dp = try PrivateModel(model: try Self.model(), l2NormClip: 1, noiseMultiplier: sigma, noise: .seeded(1),
                                      lossTracking: .privateEstimate(noiseRatio: k, clip: 2))
            let sg = dp.gradientNoiseMultiplier, sl = try #require(dp.lossNoiseMultiplier)
            #expect(abs(sg / (sigma * (1 + 1 / (k * k)).squareRoot()) - 1) < 1e-12)
            #expect(abs(sl / (k * sg) - 1) < 1e-12)
            // The whole step release is a Gaussian mechanism with noise multiplier σ.
            #expect(abs((1 / (sg * sg) + 1 / (sl * sl)) * sigma * sigma - 1) < 1e-12)
            #expect(sg > sigma)   // part of the budget pays for the loss
        }
        let off = try PrivateModel(model: try Self.model(), l2NormClip: 1, noiseMultiplier: sigma, lossTracking: .off)
        #expect(off.gradientNoiseMultiplier == sigma)
        #expect(off.lossNoiseMultiplier == nil)
        let byDefault = try PrivateModel(model: try Self.model(), l2NormClip: 1, noiseMultiplier: sigma)
        #expect(byDefault.lossTracking == .privateEstimate(noiseRatio: 4, clip: 4))
    }

    @Test("invalid loss tracking is refused",
          arguments: [(0.0, 4.0), (-1.0, 4.0), (Double.nan, 4.0), (Double.infinity, 4.0), (4.0, 0.0), (4.0, -2.0), (4.0, .infinity)])
    func invalidLossTracking(ratio: Double, clip: Double) throws {
        #expect(throws: PrivateLearningError.self) {
            _ = try PrivateModel(model: try Self.model(), l2NormClip: 1, noiseMultiplier: 1,
                                 lossTracking: .privateEstimate(noiseRatio: ratio, clip: clip))
        }
    }

    @Test("ε of a fit is that of (q, σ) with and without loss tracking: the loss release is inside σ")
    func accountingUnchanged() throws {
        let (x, y) = Self.data(60)
        let loader = try PoissonLoader(features: x, labels: y, batchSize: 12)
        var finals: [Double] = []
        for tracking in [LossTracking.privateEstimate(), .privateEstimate(noiseRatio: 1, clip: 10), .off] {
            let dp = try PrivateModel(model: try Self.model(), l2NormClip: 1, noiseMultiplier: 1.1, noise: .seeded(2),
                                      lossTracking: tracking)
            dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
            finals.append(try #require(try dp.fit(loader, epochs: 2, targetDelta: 1e-5).finalEpsilon))
        }
        let expected = try PrivacyAccounting.epsilon(samplingRate: 0.2, noiseMultiplier: 1.1, steps: 10, delta: 1e-5)
        #expect(finals == [expected, expected, expected])
    }

    @Test("with zero noise the released loss sum is the exact clipped sum; a huge clip gives the exact sum")
    func zeroNoiseStepIsExact() throws {
        let (x, y) = Self.data(25, seed: 5)
        let m = try Self.model()
        let exact = Self.losses(m, x, y)
        let small = exact.sorted()[exact.count / 2]   // about half the losses are clipped
        #expect(exact.contains { $0 > small } && exact.contains { $0 < small }, "fixture must exercise both branches")
        for clip in [small, 1e6] {
            let dp = try PrivateModel(model: m, l2NormClip: 1, noiseMultiplier: 0, noise: .seeded(1),
                                      lossTracking: .privateEstimate(clip: clip))
            dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
            let step = try dp.privatizedStep(features: x, labels: y, expectedBatchSize: 40)
            let expected = exact.reduce(0) { $0 + min($1, clip) }
            let got = try #require(step.noisyClippedLossSum)
            #expect(abs(got - expected) <= 1e-6 * expected, "clip \(clip): \(got) vs \(expected)")
            #expect(step.lossSumNoiseStandardDeviation == 0)
            #expect(step.perExampleLosses.count == 25)
        }
        // `.off` releases no loss.
        let off = try PrivateModel(model: m, l2NormClip: 1, noiseMultiplier: 1, noise: .seeded(1), lossTracking: .off)
        off.compile(optimizer: SGD(), loss: BinaryCrossentropy())
        #expect(try off.privatizedStep(features: x, labels: y, expectedBatchSize: 40).noisyClippedLossSum == nil)
    }

    @Test("an empty batch releases a noise-only loss sum; a NaN loss counts as the clip L")
    func emptyBatchAndNaN() throws {
        let m = try Self.model()
        let dp = try PrivateModel(model: m, l2NormClip: 1, noiseMultiplier: 1, noise: .seeded(4))
        dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
        let empty = try dp.privatizedStep(features: Tensor(zeros: [0, 4]), labels: Tensor(zeros: [0, 1]), expectedBatchSize: 5)
        #expect(empty.perExampleLosses.isEmpty)
        #expect(try #require(empty.noisyClippedLossSum) != 0)
        #expect(empty.lossSumNoiseStandardDeviation == dp.lossNoiseMultiplier! * LossTracking.defaultClip)

        var (x, y) = Self.data(6, seed: 21)
        let clip = 3.0
        let exact = Self.losses(m, x, y)
        let zero = try PrivateModel(model: m, l2NormClip: 1, noiseMultiplier: 0, noise: .seeded(1),
                                    lossTracking: .privateEstimate(clip: clip))
        zero.compile(optimizer: SGD(), loss: BinaryCrossentropy())
        x[2, 1] = .nan
        let got = try #require(try zero.privatizedStep(features: x, labels: y, expectedBatchSize: 6).noisyClippedLossSum)
        let expected = exact.enumerated().reduce(0) { $0 + ($1.offset == 2 ? clip : min($1.element, clip)) }
        #expect(abs(got - expected) <= 1e-6 * expected)
    }

    /// Full batch (q = 1, one step per epoch, divisor qN = N) with a frozen model (an optimizer
    /// that ignores the gradient) and a clip L = 20 above every loss: the estimate is the exact mean loss
    /// plus noise of std σ_L·L/(qN·√1) = 1e-4 · 4·√(1+1/16) · 20 / 30 ≈ 2.7e-4 — allowed 5 of those
    /// (+1e-5 for Float losses). With σ = 0 `fit` reports the exact mean, marked not an estimate.
    @Test("full batch, frozen model: the epoch estimate is the exact mean loss up to its noise")
    func fullBatchEstimateIsExactMean() throws {
        let (x, y) = Self.data(30, seed: 7)
        let m = try Self.model()
        let exact = Self.losses(m, x, y)
        let clip = 20.0
        #expect(exact.allSatisfy { $0 < clip })
        let mean = exact.reduce(0, +) / Double(exact.count)
        let loader = try PoissonLoader(features: x, labels: y, batchSize: 30)
        for sigma in [1e-4, 0] {
            let dp = try PrivateModel(model: m, l2NormClip: 1, noiseMultiplier: sigma, noise: .seeded(3),
                                      lossTracking: .privateEstimate(clip: clip))
            dp.compile(optimizer: FrozenOptimizer(), loss: BinaryCrossentropy())
            let h = try dp.fit(loader, epochs: 3, targetDelta: 1e-5)
            #expect(h.loss.count == 3)
            let sd = sigma * 4 * (1 + 1.0 / 16).squareRoot() * clip / 30
            for l in h.loss { #expect(abs(l - mean) <= 5 * sd + 1e-5, "σ \(sigma): \(l) vs \(mean)") }
            #expect(h.lossIsPrivateEstimate == (sigma > 0))
            if sigma > 0 {
                for s in h.lossNoiseStandardDeviation { #expect(abs(s / sd - 1) < 1e-9) }
            } else {
                #expect(h.lossNoiseStandardDeviation.isEmpty)
            }
        }
    }

    /// Default tracking (k = 4, L = 4), σ = 1, full batch of N = 40, frozen model: every epoch's
    /// loss is the clipped mean plus noise of std σ_L·L/N = 4.12·4/40 ≈ 0.41. The chance that
    /// such a draw lands within 1e-6 of the exact mean is ≈ 2e-6 per epoch.
    /// `.off` reports NaN and no noise std; no per-epoch metric of the training data is recorded.
    @Test("a private fit never records the exact training loss; `.off` records NaN; no training metrics")
    func privateFitHidesExactLoss() throws {
        let (x, y) = Self.data(40, seed: 9)
        let m = try Self.model()
        let exact = Self.losses(m, x, y)
        let mean = exact.reduce(0, +) / 40
        let clippedMean = exact.reduce(0) { $0 + min($1, 4) } / 40
        let loader = try PoissonLoader(features: x, labels: y, batchSize: 40)
        let dp = try PrivateModel(model: m, l2NormClip: 1, noiseMultiplier: 1, noise: .seeded(11))
        dp.compile(optimizer: FrozenOptimizer(), loss: BinaryCrossentropy(), metrics: [.accuracy])
        var progress: [TrainingProgress] = []
        let h = try dp.fit(loader, epochs: 4, targetDelta: 1e-5) { progress.append($0) }
        #expect(h.lossIsPrivateEstimate && h.lossClip == 4 && h.lossNoiseMultiplier == dp.lossNoiseMultiplier)
        #expect(h.gradientNoiseMultiplier == dp.gradientNoiseMultiplier && h.noiseMultiplier == 1)
        for l in h.loss {
            #expect(abs(l - mean) > 1e-6 && abs(l - clippedMean) > 1e-6)
        }
        #expect(h.metrics.isEmpty)
        #expect(progress.map(\.loss) == h.loss)
        #expect(progress.allSatisfy { $0.lossIsPrivateEstimate })
        #expect(progress.map { $0.lossNoiseStandardDeviation! } == h.lossNoiseStandardDeviation)

        let off = try PrivateModel(model: m, l2NormClip: 1, noiseMultiplier: 1, noise: .seeded(11), lossTracking: .off)
        off.compile(optimizer: FrozenOptimizer(), loss: BinaryCrossentropy(), metrics: [.accuracy])
        let ho = try off.fit(loader, epochs: 2, targetDelta: 1e-5)
        #expect(ho.loss.count == 2 && ho.loss.allSatisfy(\.isNaN))
        #expect(!ho.lossIsPrivateEstimate && ho.lossNoiseStandardDeviation.isEmpty && ho.lossClip == nil)
        #expect(ho.metrics.isEmpty)
    }

    /// Poisson batches (N = 40, batch 10: q = 0.25, T = 4 steps per epoch, qN = 10), σ = 20,
    /// L = 1, k = 4, frozen model (no-op optimizer), 600 epochs.
    ///
    /// Each epoch estimate is Ê = (Σ_t Σ_{i∈B_t} ℓ̄_i + Σ_t σ_L·L·z_t) / (T·qN), ℓ̄_i = min(ℓ_i, L).
    /// - Mean: E[Σ_{i∈B_t} ℓ̄_i] = q·Σ_i ℓ̄_i, so E[Ê] = Σ_i ℓ̄_i / N, the mean clipped loss.
    /// - Variance: noise s² = T·(σ_L·L)²/(T·qN)², i.e. s = σ_L·L/(qN·√T) = 82.46/20 ≈ 4.12 (not
    ///   σ_L·L/(qN·T): T independent draws add in variance); Poisson sampling adds
    ///   v = T·q(1−q)·Σ_i ℓ̄_i² / (T·qN)² ≤ 1/40 (computed exactly below).
    /// With n = 600 independent epochs: the mean has standard error √((s² + v)/n) ≈ 0.17,
    /// allowed 5; the sample variance (noise-dominated, nearly normal) has relative standard error
    /// √(2/(n−1)) = 0.058, allowed 5 → ±29%. Missing loss noise (variance ≈ v), noise divided by
    /// T instead of √T (×¼ variance) or by the drawn count fall outside these bands.
    @Test("per-epoch loss noise has std σ_L·L/(qN·√steps) and the estimate is centred on the mean clipped loss")
    func epochEstimateStatistics() throws {
        let (x, y) = Self.data(40, seed: 13)
        let m = try Self.model()
        let clip = 1.0, sigma = 20.0, epochs = 600
        let clipped = Self.losses(m, x, y).map { min($0, clip) }
        let clippedMean = clipped.reduce(0, +) / 40
        let loader = try PoissonLoader(features: x, labels: y, batchSize: 10)
        #expect(loader.stepsPerEpoch == 4)
        let dp = try PrivateModel(model: m, l2NormClip: 1, noiseMultiplier: sigma, noise: .seeded(17),
                                  lossTracking: .privateEstimate(noiseRatio: 4, clip: clip))
        dp.prefetchesNoise = false
        dp.compile(optimizer: FrozenOptimizer(), loss: BinaryCrossentropy())
        let h = try dp.fit(loader, epochs: epochs, targetDelta: 1e-5)
        let q = 0.25, qN = 10.0, steps = 4.0
        let sigmaL = 4 * sigma * (1 + 1.0 / 16).squareRoot()
        let s = sigmaL * clip / (qN * steps.squareRoot())
        for reported in h.lossNoiseStandardDeviation { #expect(abs(reported / s - 1) < 1e-9) }
        let v = steps * q * (1 - q) * clipped.reduce(0) { $0 + $1 * $1 } / ((steps * qN) * (steps * qN))
        let n = Double(epochs)
        let est = h.loss
        let mean = est.reduce(0, +) / n
        let variance = est.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        #expect(abs(mean - clippedMean) <= 5 * ((s * s + v) / n).squareRoot(), "mean \(mean) vs \(clippedMean)")
        #expect(abs(variance / (s * s + v) - 1) <= 5 * (2 / (n - 1)).squareRoot(), "variance \(variance) vs \(s * s + v)")
    }
}
