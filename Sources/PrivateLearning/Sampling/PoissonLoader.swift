import Foundation

/// Poisson-sampled batches, the sampling DP-SGD's accounting assumes.
///
/// At every step each example is included independently with probability
/// `q = batchSize / N`, so `batchSize` is the *expected* batch size: drawn batches vary and
/// may be empty (an empty batch still makes a noise-only step). An epoch is
/// `ceil(N / batchSize)` steps.
public struct PoissonLoader: Sendable {
    /// Features, batch-first (`[N, …]`).
    public let features: Tensor
    /// Labels, batch-first (`[N, …]`).
    public let labels: Tensor
    /// Expected batch size `q·N` (public).
    public let batchSize: Int
    /// The public N that fixes q and the epoch length: the number of examples, or a declared
    /// population of which some examples may be absent (rows dropped by a per-row policy).
    public let population: Int

    /// - Throws: `PrivateLearningError.invalidTrainingData` when row counts differ or the set is
    ///   empty; `.invalidConfiguration` for a non-positive batch size.
    public init(features: Tensor, labels: Tensor, batchSize: Int) throws {
        guard features.rows == labels.rows, features.rank >= 1, labels.rank >= 1 else {
            throw PrivateLearningError.invalidTrainingData(
                "features have \(features.rows) rows but labels have \(labels.rows)")
        }
        guard features.rows > 0 else { throw PrivateLearningError.invalidTrainingData("no examples") }
        guard batchSize > 0 else {
            throw PrivateLearningError.invalidConfiguration("batch size must be > 0, got \(batchSize)")
        }
        self.features = features
        self.labels = labels
        self.batchSize = min(batchSize, features.rows)
        self.population = features.rows
    }

    /// Poisson sampling at the rate of a public `population` N ≥ the examples present:
    /// q = batchSize / N and an epoch is ceil(N / batchSize) steps, whatever subset of the
    /// population is present. Each present example is included with probability q, so the
    /// add/remove-one guarantee for q holds; an absent example (e.g. a row dropped by a
    /// data-independent per-row policy) simply never contributes. May hold no example at all
    /// (every step is then noise only).
    /// - Throws: `.invalidTrainingData` when row counts differ or exceed `population`;
    ///   `.invalidConfiguration` for a non-positive batch size or population.
    public init(features: Tensor, labels: Tensor, batchSize: Int, population: Int) throws {
        guard features.rows == labels.rows, features.rank >= 1, labels.rank >= 1 else {
            throw PrivateLearningError.invalidTrainingData(
                "features have \(features.rows) rows but labels have \(labels.rows)")
        }
        guard population > 0, batchSize > 0 else {
            throw PrivateLearningError.invalidConfiguration("batch size and population must be > 0")
        }
        guard features.rows <= population else {
            throw PrivateLearningError.invalidTrainingData("more examples than the declared population")
        }
        self.features = features
        self.labels = labels
        self.batchSize = min(batchSize, population)
        self.population = population
    }

    /// Number of examples present (private when a population is declared).
    public var exampleCount: Int { features.rows }
    /// Sampling rate `q = batchSize / N` (N: the public population).
    public var samplingRate: Double { Double(batchSize) / Double(population) }
    /// `q·N`, the divisor of the noisy gradient sum (public).
    public var expectedBatchSize: Double { samplingRate * Double(population) }
    /// Steps per epoch, `ceil(N / batchSize)`.
    public var stepsPerEpoch: Int { (population + batchSize - 1) / batchSize }

    /// Indices of one Poisson batch, ascending.
    ///
    /// Draws the gaps between included examples from the geometric distribution
    /// `P(gap = k) = (1−q)^k q`, which is exactly independent inclusion with probability q,
    /// using O(qN) random numbers instead of N.
    public func sampleIndices<G: RandomNumberGenerator>(using generator: inout G) -> [Int] {
        let n = exampleCount, q = samplingRate
        if n == 0 { return [] }
        if q >= 1 { return Array(0..<n) }
        var out: [Int] = []
        out.reserveCapacity(Int(Double(n) * q * 1.2) + 8)
        let logOneMinusQ = log1p(-q)
        var i = -1
        while true {
            let u = GaussianSampling.openUniform(using: &generator)   // (0, 1]
            let gap = (log(u) / logOneMinusQ).rounded(.down)
            if gap >= Double(n) { break }
            i += 1 + Int(gap)
            if i >= n { break }
            out.append(i)
        }
        return out
    }

    /// Features and labels of one Poisson batch.
    public func sampleBatch<G: RandomNumberGenerator>(using generator: inout G) -> (features: Tensor, labels: Tensor) {
        let idx = sampleIndices(using: &generator)
        return (features.gatheringRows(idx), labels.gatheringRows(idx))
    }
}
