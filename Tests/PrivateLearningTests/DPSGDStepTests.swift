import DPTestSupport
import Foundation
import PrivateLearning
import StandardPlugins
import PrivacyAccounting
import Testing

@Suite("DP-SGD: one step")
struct DPSGDStepTests {
    func model(seed: UInt64 = 5) throws -> Sequential {
        try Sequential(inputShape: [5], seed: seed) {
            Dense(4, activation: .relu)
            Dense(3, activation: .tanh)
            Dense(1, activation: .sigmoid)
        }
    }

    /// Inputs with very different scales so that some examples are clipped and some are not.
    func batch() -> (Tensor, Tensor) {
        var x = Fixtures.gaussian(shape: [7, 5], seed: 11)
        for (row, s) in [(0, 0.05), (2, 10), (4, 3), (6, 0.2)] as [(Int, Float)] {
            for j in 0..<5 { x[row, j] *= s }
        }
        return (x, Fixtures.binaryLabels(7, seed: 12))
    }

    /// Each example alone through the model: its full gradient.
    func bruteForceGradients(_ m: Sequential, _ x: Tensor, _ y: Tensor) -> [[Float]] {
        let loss = BinaryCrossentropy()
        return (0..<x.rows).map { i in
            let xi = x.gatheringRows([i]), yi = y.gatheringRows([i])
            return m.weightedGradients(xi, yi, loss: loss).flatMap(\.storage)
        }
    }

    func norm(_ v: [Float]) -> Float { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    @Test("fast per-example norms over all layers equal the norms of materialised gradients")
    func fastNormsMatch() throws {
        let m = try model()
        let (x, y) = batch()
        let dp = try PrivateModel(model: m, l2NormClip: 1, noiseMultiplier: 0, noise: .seeded(1))
        dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
        let fast = try dp.perExampleGradientNorms(features: x, labels: y)
        let brute = bruteForceGradients(m, x, y).map(norm)
        assertClose(fast, brute, rtol: 1e-4, atol: 1e-7)
    }

    @Test("with zero noise, one step equals the brute-force clipped sum divided by the expected batch size")
    func zeroNoiseStepEqualsBruteForce() throws {
        let m = try model()
        let (x, y) = batch()
        let brute = bruteForceGradients(m, x, y)
        let norms = brute.map(norm)
        let clip = norms.sorted()[norms.count / 2] * 1.01   // about half the examples get clipped
        #expect(norms.contains { $0 > clip } && norms.contains { $0 < clip }, "fixture must exercise both branches")
        let expectedBatch = 10.0   // deliberately not the drawn 7: the divisor must be q·N
        var expected = [Float](repeating: 0, count: brute[0].count)
        for g in brute {
            let c = min(1, clip / norm(g))
            for j in expected.indices { expected[j] += c * g[j] / Float(expectedBatch) }
        }
        let dp = try PrivateModel(model: m, l2NormClip: Double(clip), noiseMultiplier: 0, noise: .seeded(1))
        dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
        let got = try dp.privatizedGradients(features: x, labels: y, expectedBatchSize: expectedBatch)
        assertClose(got.gradients.flatMap(\.storage), expected, rtol: 1e-4, atol: 1e-7)

        // And the optimizer receives exactly that: SGD(lr) moves parameters by −lr·G.
        let before = m.parameters.flatMap(\.storage)
        m.apply(gradients: got.gradients, optimizer: SGD(learningRate: 0.1))
        let after = m.parameters.flatMap(\.storage)
        assertClose(zip(before, after).map { ($0 - $1) / 0.1 }, expected, rtol: 1e-3, atol: 1e-6)
    }

    @Test("clipped per-example gradients never exceed the clip norm", arguments: [0.01, 0.3, 5.0])
    func clippedNormsBounded(clip: Double) throws {
        let m = try model()
        let (x, y) = batch()
        let dp = try PrivateModel(model: m, l2NormClip: clip, noiseMultiplier: 0, noise: .seeded(1))
        dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
        let raw = bruteForceGradients(m, x, y).map(norm)
        for i in 0..<x.rows {
            // A one-example batch with expected size 1 returns exactly that example's clipped gradient.
            let g = try dp.privatizedGradients(features: x.gatheringRows([i]), labels: y.gatheringRows([i]), expectedBatchSize: 1)
            let n = norm(g.gradients.flatMap(\.storage))
            #expect(n <= Float(clip) * (1 + 1e-5))
            #expect(abs(n - min(raw[i], Float(clip))) <= 1e-4 * max(n, 1e-6))
        }
    }

    /// Noise per coordinate must have std σ_g·C/(qN), added once to the sum, where
    /// σ_g = σ·√(1 + 1/k²) with private loss tracking (default k = 4: part of the accounting
    /// noise multiplier σ pays for the loss release) and σ_g = σ with `.off`.
    ///
    /// The noisy gradient minus the noiseless one (same batch, same weights) is pure noise.
    /// With n independent N(0, s²) draws, the sample variance has relative standard error
    /// √(2/(n−1)); for n = 20 steps × 61 coordinates = 1220 that is 0.0405, so a 5-sigma
    /// band is ±20% on the variance, i.e. about ±10% on the std. The mean has standard error
    /// s/√n; we allow 5 of those. A noise that was added per example (std ×√B ≈ 2.6) or
    /// divided by the drawn batch size (×10/7) falls far outside these bands. The two cases
    /// differ by √(1 + 1/4²) = 1.031 on the std (6% on the variance), inside the band: the
    /// exact σ_g of each case is checked against its formula in DPSGDLossTests.
    @Test("gradient noise std per coordinate equals σ·√(1+1/k²)·C/(q·N) with loss tracking, σ·C/(q·N) without",
          arguments: [true, false])
    func noiseStandardDeviation(tracksLoss: Bool) throws {
        let m = try model()
        let (x, y) = batch()
        let sigma = 1.3, clip = 0.7, expectedBatch = 10.0
        let tracking: LossTracking = tracksLoss ? .privateEstimate() : .off
        let clean = try PrivateModel(model: m, l2NormClip: clip, noiseMultiplier: 0, noise: .seeded(2))
        clean.compile(optimizer: SGD(), loss: BinaryCrossentropy())
        let noisy = try PrivateModel(model: m, l2NormClip: clip, noiseMultiplier: sigma, noise: .seeded(3), lossTracking: tracking)
        noisy.compile(optimizer: SGD(), loss: BinaryCrossentropy())
        let reference = try clean.privatizedGradients(features: x, labels: y, expectedBatchSize: expectedBatch).gradients.flatMap(\.storage)
        var draws: [Double] = []
        for _ in 0..<20 {
            let g = try noisy.privatizedGradients(features: x, labels: y, expectedBatchSize: expectedBatch).gradients.flatMap(\.storage)
            draws += zip(g, reference).map { Double($0 - $1) }
        }
        let n = Double(draws.count)
        let sigmaG = tracksLoss ? sigma * (1 + 1 / (LossTracking.defaultNoiseRatio * LossTracking.defaultNoiseRatio)).squareRoot() : sigma
        let target = sigmaG * clip / expectedBatch
        let mean = draws.reduce(0, +) / n
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        #expect(abs(mean) <= 5 * target / n.squareRoot())
        #expect(abs(variance / (target * target) - 1) <= 5 * (2 / (n - 1)).squareRoot())
    }

    @Test("an empty batch takes a noise-only step")
    func emptyBatch() throws {
        let m = try model()
        let dp = try PrivateModel(model: m, l2NormClip: 1, noiseMultiplier: 1, noise: .seeded(4))
        dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
        let g = try dp.privatizedGradients(features: Tensor(zeros: [0, 5]), labels: Tensor(zeros: [0, 1]), expectedBatchSize: 4)
        #expect(g.gradients.map(\.shape) == m.parameters.map(\.shape))
        #expect(g.gradients.allSatisfy { $0.squaredNorm() > 0 })
        #expect(g.losses.isEmpty)
    }

    /// A stand-in for batch normalisation: output depends on the batch mean.
    final class BatchCentering: Layer {
        var typeName: String { "batch_normalization" }
        var configuration: PluginParameters { [:] }
        var parameters: [Tensor] = []
        var mixesExamples: Bool { true }
        func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] { inputShape }
        func forward(_ input: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) { (input, ()) }
        func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor { outputGradient }
        func parameterGradients(outputGradient: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] { [] }
    }

    @Test("layers that mix examples are refused, every offender listed with position and fix")
    func refusesMixingLayers() throws {
        let m = try Sequential(inputShape: [3], layers: [BatchCentering(), Dense(2), BatchCentering()])
        do {
            _ = try PrivateModel(model: m, l2NormClip: 1, noiseMultiplier: 1)
            Issue.record("model with batch-mixing layers was accepted")
        } catch let PrivateLearningError.layersMixExamples(lines) {
            #expect(lines == [
                "layers[0] (batch_normalization): mixes examples within a batch; use layer_normalization or no normalisation",
                "layers[2] (batch_normalization): mixes examples within a batch; use layer_normalization or no normalisation",
            ])
        }
    }

    @Test("seeded noise marks a run not private; secure noise with σ > 0 marks it private")
    func privateFlag() throws {
        let x = Fixtures.gaussian(shape: [40, 5], seed: 1), y = Fixtures.binaryLabels(40, seed: 2)
        let loader = try PoissonLoader(features: x, labels: y, batchSize: 8)
        for (noise, sigma, expected) in [(SeededRandomSource(seed: 1) as any NoiseSource, 1.0, false),
                                         (SecureRandomSource(), 1.0, true), (SecureRandomSource(), 0.0, false)] {
            let dp = try PrivateModel(model: try model(), l2NormClip: 1, noiseMultiplier: sigma, noise: noise)
            dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
            let h = try dp.fit(loader, epochs: 2, targetDelta: 1e-5)
            #expect(h.isPrivate == expected)
            #expect(h.steps == 2 * 5)
            #expect(h.samplingRate == 0.2)
            #expect(h.loss.count == 2)
        }
    }

    @Test("invalid DP configuration is refused", arguments: [(0.0, 1.0), (-1.0, 1.0), (1.0, -0.5), (Double.nan, 1.0)])
    func invalidConfiguration(clip: Double, sigma: Double) throws {
        #expect(throws: PrivateLearningError.self) {
            _ = try PrivateModel(model: try model(), l2NormClip: clip, noiseMultiplier: sigma)
        }
    }
}

@Suite("DP-SGD: privacy reported by fit")
struct DPSGDAccountingTests {
    @Test("fit reports ε from the accountant for the steps actually taken", arguments: [AccountantKind.rdp, .pld])
    func epsilonMatchesAccountant(accountant: AccountantKind) throws {
        let x = Fixtures.gaussian(shape: [200, 4], seed: 1), y = Fixtures.binaryLabels(200, seed: 2)
        let loader = try PoissonLoader(features: x, labels: y, batchSize: 20)
        let model = try Sequential(inputShape: [4], layers: [Dense(1, activation: .sigmoid)], seed: 1)
        let dp = try PrivateModel(model: model, l2NormClip: 1, noiseMultiplier: 1.1, noise: .seeded(3))
        dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
        let h = try dp.fit(loader, epochs: 3, targetDelta: 1e-5, accountant: accountant)
        #expect(h.steps == 30)
        #expect(h.accountant == accountant.rawValue)
        let expected = try PrivacyAccounting.epsilon(samplingRate: 0.1, noiseMultiplier: 1.1, steps: 30, delta: 1e-5,
                                                     accountant: accountant)
        #expect(h.finalEpsilon == expected)
        if accountant == .rdp {
            let eps = h.epsilon.compactMap { $0 }
            #expect(eps.count == 3 && eps == eps.sorted() && eps[0] < eps[2])
        }
    }
}

@Suite("DP-SGD: noise inside fit")
struct DPSGDFitNoiseTests {
    /// With σ = 1000, C = 1 and q = 1 (batch 50 of 50, divisor qN = 50) the noise per
    /// coordinate has std σ_g·C/qN = 20·√(1 + 1/16) ≈ 20.6 (default loss tracking, k = 4), while the clipped data term has L2 norm ≤ C·N/qN = 1 over
    /// all 9 coordinates: at most 1/(9·400) of the variance. SGD with learning rate 1 moves the
    /// parameters by minus the privatized gradient. Over 12 steps × 9 coordinates (n = 108):
    /// - variance / 400 has relative standard error √(2/107) = 0.137; allowed 5 (+0.01 for the data term);
    /// - consecutive steps must be uncorrelated (a reused noise buffer would give correlation 1):
    ///   the sample correlation of 99 pairs has standard error ≈ 1/√99 = 0.10; allowed 5 → |r| < 0.5.
    @Test("each step gets fresh noise of std σ_g·C/(qN), with and without prefetching", arguments: [true, false])
    func freshNoisePerStep(prefetch: Bool) throws {
        let x = Fixtures.gaussian(shape: [50, 8], seed: 1), y = Fixtures.binaryLabels(50, seed: 2)
        let loader = try PoissonLoader(features: x, labels: y, batchSize: 50)
        let model = try Sequential(inputShape: [8], layers: [Dense(1, activation: .sigmoid)], seed: 1)
        let sigma = 1000.0, clip = 1.0
        let dp = try PrivateModel(model: model, l2NormClip: clip, noiseMultiplier: sigma, noise: .seeded(3))
        dp.prefetchesNoise = prefetch
        dp.compile(optimizer: SGD(learningRate: 1), loss: BinaryCrossentropy())
        let h = try dp.fit(loader, epochs: 12, targetDelta: 1e-5) { _ in }
        #expect(h.steps == 12)
        _ = h
        // Re-run step by step to observe increments.
        let dp2 = try PrivateModel(model: model, l2NormClip: clip, noiseMultiplier: sigma, noise: .seeded(4))
        dp2.prefetchesNoise = prefetch
        dp2.compile(optimizer: SGD(learningRate: 1), loss: BinaryCrossentropy())
        var snapshots = [model.parameters.flatMap(\.storage).map(Double.init)]
        for _ in 0..<12 {
            _ = try dp2.fit(loader, epochs: 1, targetDelta: 1e-5)
            snapshots.append(model.parameters.flatMap(\.storage).map(Double.init))
        }
        let target = sigma * (1 + 1.0 / 16).squareRoot() * clip / 50
        var steps: [[Double]] = []
        for t in 1..<snapshots.count { steps.append(zip(snapshots[t], snapshots[t - 1]).map { $0 - $1 }) }
        let all = steps.flatMap { $0 }
        let n = Double(all.count)
        let variance = all.reduce(0) { $0 + $1 * $1 } / n
        #expect(abs(variance / (target * target) - 1) <= 5 * (2 / (n - 1)).squareRoot() + 0.01)
        var a: [Double] = [], b: [Double] = []
        for t in 1..<steps.count { a += steps[t - 1]; b += steps[t] }
        let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
        let cov = zip(a, b).reduce(0) { $0 + ($1.0 - ma) * ($1.1 - mb) }
        let r = cov / (a.reduce(0) { $0 + ($1 - ma) * ($1 - ma) } * b.reduce(0) { $0 + ($1 - mb) * ($1 - mb) }).squareRoot()
        #expect(abs(r) < 5 / Double(a.count).squareRoot())
    }
}

@Suite("DP-SGD: non-finite gradients")
struct DPSGDNonFiniteTests {
    @Test("an example with a non-finite gradient is dropped, not passed through unclipped")
    func nanExampleDropped() throws {
        let model = try Sequential(inputShape: [3], layers: [Dense(2, activation: .tanh), Dense(1, activation: .sigmoid)], seed: 2)
        var x = Fixtures.gaussian(shape: [4, 3], seed: 3)
        let y = Fixtures.binaryLabels(4, seed: 4)
        let dp = try PrivateModel(model: model, l2NormClip: 1, noiseMultiplier: 0, noise: .seeded(1))
        dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
        let clean = try dp.privatizedGradients(features: x.gatheringRows([0, 1, 3]), labels: y.gatheringRows([0, 1, 3]),
                                               expectedBatchSize: 4).gradients.flatMap(\.storage)
        x[2, 1] = .nan
        let got = try dp.privatizedGradients(features: x, labels: y, expectedBatchSize: 4).gradients.flatMap(\.storage)
        assertClose(got, clean, rtol: 1e-5, atol: 1e-7)
    }
}

@Suite("DP-SGD: privacy across several fits")
struct DPSGDCumulativeTests {
    @Test("a second fit reports ε over all steps so far; a different sampling rate is refused")
    func cumulative() throws {
        let x = Fixtures.gaussian(shape: [100, 3], seed: 1), y = Fixtures.binaryLabels(100, seed: 2)
        let model = try Sequential(inputShape: [3], layers: [Dense(1, activation: .sigmoid)], seed: 1)
        let dp = try PrivateModel(model: model, l2NormClip: 1, noiseMultiplier: 1.2, noise: .seeded(5))
        dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
        let loader = try PoissonLoader(features: x, labels: y, batchSize: 10)
        let first = try dp.fit(loader, epochs: 1, targetDelta: 1e-5)
        let second = try dp.fit(loader, epochs: 1, targetDelta: 1e-5)
        #expect(first.steps == 10 && second.steps == 10 && second.cumulativeSteps == 20)
        let expected = try PrivacyAccounting.epsilon(samplingRate: 0.1, noiseMultiplier: 1.2, steps: 20, delta: 1e-5)
        #expect(second.finalEpsilon == expected)
        #expect(second.finalEpsilon! > first.finalEpsilon!)
        let other = try PoissonLoader(features: x, labels: y, batchSize: 20)
        #expect(throws: PrivateLearningError.self) { _ = try dp.fit(other, epochs: 1, targetDelta: 1e-5) }
    }
}
