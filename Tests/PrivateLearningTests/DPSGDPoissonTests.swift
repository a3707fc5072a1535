import DPTestSupport
import PrivateLearning
import Testing

@Suite("DP-SGD: Poisson sampling")
struct DPSGDPoissonTests {
    /// Batch sizes are Binomial(N, q): mean qN, variance qN(1−q).
    ///
    /// N = 1000, q = 0.1, 2000 batches. The sample mean has standard error
    /// √(qN(1−q)/2000) = √(90/2000) ≈ 0.21; the sample variance of nearly normal draws has
    /// standard error ≈ qN(1−q)·√(2/(2000−1)) ≈ 2.85 (binomial excess kurtosis
    /// (1−6q(1−q))/(qN(1−q)) ≈ 0.005 is negligible). Both are allowed 5 standard errors.
    @Test("batch sizes have mean qN and variance qN(1−q)")
    func batchSizeMoments() throws {
        let n = 1000, b = 100, draws = 2000
        let loader = try PoissonLoader(features: Tensor(zeros: [n, 1]), labels: Tensor(zeros: [n, 1]), batchSize: b)
        #expect(loader.samplingRate == 0.1)
        var g = SeededRandomSource(seed: 9)
        let sizes = (0..<draws).map { _ in Double(loader.sampleIndices(using: &g).count) }
        let mean = sizes.reduce(0, +) / Double(draws)
        let variance = sizes.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws - 1)
        let q = 0.1, expectedVariance = q * Double(n) * (1 - q)
        #expect(abs(mean - q * Double(n)) <= 5 * (expectedVariance / Double(draws)).squareRoot())
        #expect(abs(variance - expectedVariance) <= 5 * expectedVariance * (2.0 / Double(draws - 1)).squareRoot())
    }

    /// Every example is included with probability q, independently of its position.
    ///
    /// N = 50, q = 0.2, 4000 batches: each index count is Binomial(4000, 0.2), mean 800, std
    /// √640 ≈ 25.3. With 50 indices, a 5-sigma band (±127) is exceeded by chance with
    /// probability < 50·6e-7.
    @Test("each example is included with probability q")
    func inclusionIsUniform() throws {
        let n = 50
        let loader = try PoissonLoader(features: Tensor(zeros: [n, 1]), labels: Tensor(zeros: [n, 1]), batchSize: 10)
        var g = SeededRandomSource(seed: 10)
        var counts = [Int](repeating: 0, count: n)
        for _ in 0..<4000 {
            let idx = loader.sampleIndices(using: &g)
            #expect(idx == idx.sorted() && Set(idx).count == idx.count)
            for i in idx { counts[i] += 1 }
        }
        for c in counts { #expect(abs(Double(c) - 800) <= 5 * 640.0.squareRoot()) }
    }

    @Test("steps per epoch are ceil(N / batch size); q = 1 takes everything")
    func stepsPerEpoch() throws {
        let l = try PoissonLoader(features: Tensor(zeros: [101, 2]), labels: Tensor(zeros: [101, 1]), batchSize: 10)
        #expect(l.stepsPerEpoch == 11)
        #expect(abs(l.expectedBatchSize - 10) < 1e-12)
        let all = try PoissonLoader(features: Tensor(zeros: [5, 2]), labels: Tensor(zeros: [5, 1]), batchSize: 5)
        var g = SeededRandomSource(seed: 1)
        #expect(all.sampleIndices(using: &g) == [0, 1, 2, 3, 4])
    }

    @Test("mismatched features and labels are refused")
    func mismatch() {
        #expect(throws: PrivateLearningError.self) {
            _ = try PoissonLoader(features: Tensor(zeros: [5, 2]), labels: Tensor(zeros: [4, 1]), batchSize: 2)
        }
    }
}
