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
    /// Expected batch size B (public).
    public let batchSize: Int
    /// The public N the sampling rate is accounted for: the declared or DP-counted size under add/remove
    /// (nil: the number of rows, as when N is treated as public).
    public let accountedSize: Int?

    /// - Throws: `PrivateLearningError.invalidTrainingData` when row counts differ or the set is
    ///   empty; `.invalidConfiguration` for a non-positive batch size.
    ///   With `accountedSize`, q = B/accountedSize and an epoch is `ceil(accountedSize/B)` steps whatever the
    ///   number of rows is: under add/remove-one the realised number of rows is private and must not steer
    ///   the sampling rate, the steps or the divisor (which is B).
    public init(features: Tensor, labels: Tensor, batchSize: Int, accountedSize: Int? = nil) throws {
        guard features.rows == labels.rows, features.rank >= 1, labels.rank >= 1 else {
            throw PrivateLearningError.invalidTrainingData(
                "features have \(features.rows) rows but labels have \(labels.rows)")
        }
        // With a public accounted size the examples present may be fewer (rows dropped by a data-independent
        // per-row policy), even none: every step is then noise only, and nothing about the count shows.
        guard features.rows > 0 || accountedSize != nil else { throw PrivateLearningError.invalidTrainingData("no examples") }
        guard batchSize > 0 else {
            throw PrivateLearningError.invalidConfiguration("batch size must be > 0, got \(batchSize)")
        }
        if let accountedSize {
            guard accountedSize >= batchSize else {
                throw PrivateLearningError.invalidConfiguration(
                    "batch size \(batchSize) exceeds the accounted public size \(accountedSize)")
            }
        }
        self.features = features
        self.labels = labels
        self.accountedSize = accountedSize
        self.batchSize = accountedSize == nil ? min(batchSize, features.rows) : batchSize
    }

    /// Number of examples present (private when a population is declared).
    public var exampleCount: Int { features.rows }
    /// The N of the accounting: `accountedSize`, or the number of rows.
    public var publicSize: Int { accountedSize ?? exampleCount }
    /// Sampling rate `q = batchSize / N` (public N).
    public var samplingRate: Double { Double(batchSize) / Double(publicSize) }
    /// B, the divisor of the noisy gradient sum.
    public var expectedBatchSize: Double { Double(batchSize) }
    /// Steps per epoch, `ceil(N / batchSize)` (public N).
    public var stepsPerEpoch: Int { (publicSize + batchSize - 1) / batchSize }

    /// Indices of one Poisson batch, ascending.
    ///
    /// Draws the gaps between included examples from the geometric distribution
    /// `P(gap = k) = (1−q)^k q`, which is exactly independent inclusion with probability q,
    /// using O(qN) random numbers instead of N.
    public func sampleIndices<G: RandomNumberGenerator>(using generator: inout G) -> [Int] {
        Self.poissonIndices(count: exampleCount, samplingRate: samplingRate, using: &generator)
    }

    /// Indices in `0..<count` of one Poisson batch at sampling rate `samplingRate`, ascending: what `sampleIndices`
    /// draws, for samplers that gather their rows on demand (the same draws from the same generator).
    public static func poissonIndices<G: RandomNumberGenerator>(count n: Int, samplingRate q: Double,
                                                                 using generator: inout G) -> [Int] {
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

    /// Features and labels of one Poisson batch (every row its own unit).
    public func sampleBatch<G: RandomNumberGenerator>(using generator: inout G) -> TrainingBatch {
        let idx = sampleIndices(using: &generator)
        return TrainingBatch(features: features.gatheringRows(idx), labels: labels.gatheringRows(idx))
    }
}
