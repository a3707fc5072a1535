import DPTestSupport
import PrivacyAccounting
import PrivateLearning
import Testing

@Suite("DP-SGD: fixed-size batches without replacement, and the accounted public size")
struct DPSGDWithoutReplacementTests {
    /// Every batch holds exactly B distinct indices, and each index is included with probability B/N.
    ///
    /// N = 40, B = 8, 5000 batches: each index count is Binomial(5000, 0.2) (mean 1000, std √800 ≈ 28.3);
    /// a 5-sigma band is exceeded by chance with probability < 40·6e-7. The counts' χ² against the uniform
    /// expectation (39 degrees of freedom; without replacement the counts are slightly negatively correlated,
    /// which only lowers χ²) stays below 80 (P(χ²₃₉ > 80) ≈ 1e-4).
    @Test("batches are B distinct indices, each included with probability B/N")
    func fixedSizeUniformBatches() throws {
        let n = 40, b = 8, draws = 5000
        let loader = try WithoutReplacementLoader(features: Tensor(zeros: [n, 1]), labels: Tensor(zeros: [n, 1]), batchSize: b)
        #expect(loader.samplingRate == 0.2 && loader.expectedBatchSize == 8 && loader.stepsPerEpoch == 5)
        #expect(loader.neighbouring == .replaceOne)
        var g = SeededRandomSource(seed: 21)
        var counts = [Int](repeating: 0, count: n)
        for _ in 0..<draws {
            let idx = loader.sampleIndices(using: &g)
            #expect(idx.count == b && Set(idx).count == b && idx == idx.sorted() && idx.allSatisfy { (0..<n).contains($0) })
            for i in idx { counts[i] += 1 }
        }
        let expected = Double(draws * b) / Double(n)
        for c in counts { #expect(abs(Double(c) - expected) <= 5 * (expected * 0.8).squareRoot()) }
        let chi2 = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        #expect(chi2 < 80)
    }

    @Test("B = N takes everything; B > N or B < 1 is refused")
    func edges() throws {
        let all = try WithoutReplacementLoader(features: Tensor(zeros: [5, 1]), labels: Tensor(zeros: [5, 1]), batchSize: 5)
        var g = SeededRandomSource(seed: 1)
        #expect(all.sampleIndices(using: &g) == [0, 1, 2, 3, 4])
        #expect(throws: PrivateLearningError.self) {
            _ = try WithoutReplacementLoader(features: Tensor(zeros: [5, 1]), labels: Tensor(zeros: [5, 1]), batchSize: 6)
        }
        #expect(throws: PrivateLearningError.self) {
            _ = try WithoutReplacementLoader(features: Tensor(zeros: [5, 1]), labels: Tensor(zeros: [5, 1]), batchSize: 0)
        }
    }

    /// Under add/remove the sampling rate, the steps and the divisor come from the public size, whatever the
    /// number of rows: 90 rows accounted as 120 sample at q = 10/120, 12 steps per epoch, divisor 10; the mean
    /// batch size is q·90 = 7.5 (Binomial; 4000 batches, standard error √(90·q(1−q)/4000) ≈ 0.042, 5 sigma).
    @Test("the Poisson loader takes q, steps and divisor from the accounted public size")
    func poissonAccountedSize() throws {
        let loader = try PoissonLoader(features: Tensor(zeros: [90, 1]), labels: Tensor(zeros: [90, 1]), batchSize: 10,
                                       accountedSize: 120)
        #expect(loader.samplingRate == 10.0 / 120 && loader.stepsPerEpoch == 12 && loader.expectedBatchSize == 10)
        var g = SeededRandomSource(seed: 5)
        let mean = (0..<4000).reduce(0.0) { acc, _ in acc + Double(loader.sampleIndices(using: &g).count) } / 4000
        let q = 10.0 / 120
        #expect(abs(mean - 90 * q) <= 5 * (90 * q * (1 - q) / 4000).squareRoot())
        #expect(throws: PrivateLearningError.self) {
            _ = try PoissonLoader(features: Tensor(zeros: [90, 1]), labels: Tensor(zeros: [90, 1]), batchSize: 10, accountedSize: 5)
        }
    }
}
