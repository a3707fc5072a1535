import DPTestSupport
import Foundation
import PrivateLearning
import StandardPlugins
import PrivacyAccounting
import Testing

/// User-level DP-SGD (issue 15, contract C1): Poisson sampling of units, one clip per unit, noise once per step.
/// Every check is on behaviour (clipped sums, norms, noise, rates), so it holds for any privatizer honouring C1.
@Suite("DP-SGD: user level (privacy units)")
struct UserLevelDPSGDTests {
    func model(seed: UInt64 = 5) throws -> Sequential {
        try Sequential(inputShape: [5], seed: seed) {
            Dense(4, activation: .relu)
            Dense(1, activation: .sigmoid)
        }
    }

    func dp(_ m: Sequential, clip: Double, sigma: Double, seed: UInt64, tracking: LossTracking = .off) throws -> PrivateModel {
        let p = try PrivateModel(model: m, l2NormClip: clip, noiseMultiplier: sigma, noise: .seeded(seed), lossTracking: tracking)
        p.compile(optimizer: SGD(), loss: BinaryCrossentropy())
        return p
    }

    /// Each example alone through the model: its full gradient.
    func gradients(_ m: Sequential, _ x: Tensor, _ y: Tensor) -> [[Float]] {
        let loss = BinaryCrossentropy()
        return (0..<x.rows).map { i in
            let recorded = m.forwardRecording(x.gatheringRows([i]))
            var tape = recorded.tape
            m.backward(loss.perExampleGradient(predictions: recorded.output, targets: y.gatheringRows([i])), tape: &tape)
            return m.parameterGradients(tape: tape, exampleWeights: nil).flatMap(\.storage)
        }
    }

    func norm(_ v: [Float]) -> Double { v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }

    /// 9 rows in 4 units of sizes 3, 1, 4, 1, inputs of very different scales.
    func unitBatch() -> (Tensor, Tensor, [Int]) {
        var x = Fixtures.gaussian(shape: [9, 5], seed: 21)
        for (row, s) in [(0, 0.05), (2, 10), (4, 3), (6, 0.2), (8, 6)] as [(Int, Float)] {
            for j in 0..<5 { x[row, j] *= s }
        }
        return (x, Fixtures.binaryLabels(9, seed: 22), [0, 0, 0, 1, 2, 2, 2, 2, 3])
    }

    @Test("with zero noise the step is Σ_u min(1, C/‖Σ_{i∈u} g_i‖)·Σ_{i∈u} g_i over the expected number of units")
    func clippedSumPerUnit() throws {
        let m = try model()
        let (x, y, units) = unitBatch()
        let g = gradients(m, x, y)
        var unitSums = [[Float]](repeating: [Float](repeating: 0, count: g[0].count), count: 4)
        for (i, u) in units.enumerated() { for j in g[i].indices { unitSums[u][j] += g[i][j] } }
        let norms = unitSums.map(norm)
        let clip = norms.sorted()[2] * 0.99   // some units clipped, some not
        #expect(norms.contains { $0 > clip } && norms.contains { $0 < clip })
        let expectedUnits = 6.0
        var expected = [Double](repeating: 0, count: g[0].count)
        for s in unitSums {
            let c = min(1, clip / norm(s))
            for j in s.indices { expected[j] += c * Double(s[j]) / expectedUnits }
        }
        let step = try dp(m, clip: clip, sigma: 0, seed: 1)
            .privatizedStep(TrainingBatch(features: x, labels: y, units: units, unitCount: 4), expectedBatchSize: expectedUnits)
        let got = step.gradients.flatMap(\.storage)
        assertClose(got, expected.map(Float.init), rtol: 1e-4, atol: 1e-7)
    }

    /// Removing a unit with many rows and large gradients changes the clipped sum by at most C, whatever its row
    /// count; clipping those rows one by one (row level) moves it by far more, so the test can fail.
    @Test("one unit, however many rows, moves a step's clipped sum by at most C", arguments: [1, 5, 40])
    func oneUnitMovesSumByAtMostC(rows heavyRows: Int) throws {
        let m = try model()
        let base = Fixtures.gaussian(shape: [6, 5], seed: 31)
        let baseY = Fixtures.binaryLabels(6, seed: 32)
        let baseUnits = [0, 0, 1, 2, 2, 2]
        let heavy = Fixtures.gaussian(shape: [heavyRows, 5], seed: 33, scale: 8)
        let heavyY = Tensor(shape: [heavyRows, 1], values: [Float](repeating: 1, count: heavyRows))
        let x = Tensor(shape: [6 + heavyRows, 5], values: base.storage + heavy.storage)
        let y = Tensor(shape: [6 + heavyRows, 1], values: baseY.storage + heavyY.storage)
        let units = baseUnits + [Int](repeating: 3, count: heavyRows)
        let clip = 0.5
        let p = try dp(m, clip: clip, sigma: 0, seed: 2)
        let with = try p.privatizedStep(TrainingBatch(features: x, labels: y, units: units, unitCount: 4), expectedBatchSize: 1)
        let without = try p.privatizedStep(TrainingBatch(features: base, labels: baseY, units: baseUnits, unitCount: 3),
                                           expectedBatchSize: 1)
        let diff = zip(with.gradients.flatMap(\.storage), without.gradients.flatMap(\.storage)).map { $0 - $1 }
        #expect(norm(diff) <= clip * (1 + 1e-5), "moved by \(norm(diff))")
        #expect(norm(diff) > clip * 0.5, "the heavy unit must be clipped, not dropped")
        if heavyRows >= 5 {
            // Row-level clipping of the same rows: each row contributes up to C, so the move exceeds C.
            let rowLevel = try p.privatizedStep(TrainingBatch(features: x, labels: y), expectedBatchSize: 1)
            let rowLevelBase = try p.privatizedStep(TrainingBatch(features: base, labels: baseY), expectedBatchSize: 1)
            let rowDiff = zip(rowLevel.gradients.flatMap(\.storage), rowLevelBase.gradients.flatMap(\.storage)).map { $0 - $1 }
            #expect(norm(rowDiff) > clip * 1.5)
        }
    }

    @Test("one unit moves the loss release by at most the loss clip L")
    func oneUnitMovesLossByAtMostL() throws {
        let m = try model()
        let x = Fixtures.gaussian(shape: [30, 5], seed: 41, scale: 5)
        let y = Tensor(shape: [30, 1], values: [Float](repeating: 1, count: 30))
        let p = try dp(m, clip: 1, sigma: 0, seed: 3, tracking: .privateEstimate(noiseRatio: 4, clip: 0.5))
        let units = [0, 0] + [Int](repeating: 1, count: 28)
        let with = try p.privatizedStep(TrainingBatch(features: x, labels: y, units: units, unitCount: 2), expectedBatchSize: 1)
        let without = try p.privatizedStep(TrainingBatch(features: x.gatheringRows([0, 1]), labels: y.gatheringRows([0, 1]),
                                                         units: [0, 0], unitCount: 1), expectedBatchSize: 1)
        let moved = (with.noisyClippedLossSum ?? .nan) - (without.noisyClippedLossSum ?? .nan)
        #expect(moved >= 0 && moved <= 0.5 + 1e-12, "moved by \(moved)")
    }

    /// Noise once per step on the unit sum: the per-coordinate differences to the noise-free step are N(0, s²) with
    /// s = σ·C/E (E the expected number of units). (n−1)·v/s² is χ²(n−1); with n ≈ 3,700 draws the band
    /// ±5·√(2/(n−1)) on v/s² (five standard deviations of the χ² normal approximation) fails by chance with
    /// probability < 1e-6. Noise drawn per unit (×√4) or per row (×√9) falls far outside it.
    @Test("per-unit step noise std is σ·C/E (χ² band)")
    func noiseStandardDeviation() throws {
        let m = try model()
        let (x, y, units) = unitBatch()
        let batch = TrainingBatch(features: x, labels: y, units: units, unitCount: 4)
        let sigma = 1.3, clip = 0.7, expectedUnits = 5.0
        let reference = try dp(m, clip: clip, sigma: 0, seed: 4).privatizedStep(batch, expectedBatchSize: expectedUnits)
            .gradients.flatMap(\.storage)
        let noisy = try dp(m, clip: clip, sigma: sigma, seed: 5)
        var draws: [Double] = []
        for _ in 0..<130 {
            let g = try noisy.privatizedStep(batch, expectedBatchSize: expectedUnits).gradients.flatMap(\.storage)
            draws += zip(g, reference).map { Double($0 - $1) }
        }
        let n = Double(draws.count)
        let s = sigma * clip / expectedUnits
        let mean = draws.reduce(0, +) / n
        let chi2 = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (s * s)
        #expect(abs(mean) <= 5 * s / n.squareRoot())
        #expect(abs(chi2 / (n - 1) - 1) <= 5 * (2 / (n - 1)).squareRoot(), "χ²/(n−1) = \(chi2 / (n - 1))")
    }

    /// 300 units of 1–6 rows, q = 0.1, 200 batches: the number of drawn units is Binomial(60,000, 0.1) (mean 6,000,
    /// sd 73.5; band 5 sd). Rows are never drawn without their whole unit, and `units` indexes the drawn units.
    @Test("units are Poisson-sampled at q = B_units/N_units, each with all its rows (binomial band)")
    func unitSamplingRate() throws {
        let sizes = (0..<300).map { 1 + $0 % 6 }
        var unitOfRow: [Int] = []
        for (u, s) in sizes.enumerated() { unitOfRow += [Int](repeating: 1000 + 7 * u, count: s) }
        let n = unitOfRow.count
        let x = Tensor(shape: [n, 1], values: unitOfRow.map(Float.init))
        let loader = try PoissonUnitLoader(features: x, labels: x, unitOfRow: unitOfRow, batchSize: 30)
        #expect(loader.samplingRate == 0.1)
        #expect(loader.stepsPerEpoch == 10)
        #expect(loader.expectedBatchSize == 30)
        var g = SeededRandomSource(seed: 9)
        var drawn = 0
        for _ in 0..<200 {
            let b = loader.sampleBatch(using: &g)
            drawn += b.unitCount
            let ids = b.features.storage.map { Int($0) }
            guard let units = b.units else { Issue.record("no units"); return }
            #expect(units.count == ids.count)
            var seen: [Int: Int] = [:]
            for (id, u) in zip(ids, units) { seen[u, default: 0] += 1; _ = id }
            #expect(seen.count == b.unitCount)
            for (u, count) in seen {
                let id = ids[units.firstIndex(of: u)!]
                #expect(count == sizes[(id - 1000) / 7], "unit \(id) drawn without all its rows")
                #expect(zip(ids, units).allSatisfy { $0.1 != u || $0.0 == id })
            }
        }
        let mean = 200 * 300 * 0.1, sd = (200 * 300 * 0.1 * 0.9).squareRoot()
        #expect(abs(Double(drawn) - mean) <= 5 * sd, "drawn \(drawn) units")
    }

    @Test("with a public number of units, q and the steps come from it, not from the units present")
    func accountedUnits() throws {
        let x = Tensor(zeros: [4, 2])
        let loader = try PoissonUnitLoader(features: x, labels: Tensor(zeros: [4, 1]), unitOfRow: [5, 5, 6, 7], batchSize: 10,
                                           accountedUnits: 1000)
        #expect(loader.samplingRate == 0.01)
        #expect(loader.stepsPerEpoch == 100)
        #expect(loader.unitCountPresent == 3)
        #expect(throws: PrivateLearningError.self) {
            _ = try PoissonUnitLoader(features: x, labels: Tensor(zeros: [4, 1]), unitOfRow: [1, 2, 3, 4], batchSize: 10, accountedUnits: 5)
        }
    }

    @Test("fit with a unit loader takes epochs·ceil(N_units/B_units) steps and accounts q over units")
    func fitCountsUnits() throws {
        let m = try model()
        let x = Fixtures.gaussian(shape: [60, 5], seed: 51)
        let y = Fixtures.binaryLabels(60, seed: 52)
        let loader = try PoissonUnitLoader(features: x, labels: y, unitOfRow: (0..<60).map { $0 / 4 }, batchSize: 4)
        let p = try dp(m, clip: 1, sigma: 1.1, seed: 6)
        let h = try p.fit(loader, epochs: 2, targetDelta: 1e-5)
        #expect(h.steps == 2 * 4)                 // 15 units, B = 4 → ceil(15/4) = 4 steps per epoch
        #expect(h.samplingRate == 4.0 / 15.0)
        let eps = try dpsgdEpsilon(samplingRate: 4.0 / 15.0, noiseMultiplier: 1.1, steps: 8, delta: 1e-5, accountant: .rdp,
                                   relation: .addRemove)
        #expect(abs((h.finalEpsilon ?? .nan) - eps) < 1e-12)
    }
}
