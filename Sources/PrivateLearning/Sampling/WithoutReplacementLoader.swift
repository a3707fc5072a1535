import PrivacyAccounting

/// Fixed-size batches of B distinct examples drawn uniformly without replacement at every step: the sampling
/// that replace-one accounting (`DPEvent.sampledWithoutReplacement`, Wang, Balle & Kasiviswanathan 2019)
/// assumes. N is public under that relation; q = B/N, an epoch is `ceil(N/B)` steps, and the noisy gradient
/// sum is divided by B. Batches are independent across steps (an epoch is not a partition of the data).
public struct WithoutReplacementLoader: BatchSampler {
    public let features: Tensor
    public let labels: Tensor
    /// B, the exact batch size (1 ≤ B ≤ N).
    public let batchSize: Int

    /// - Throws: `.invalidTrainingData` when row counts differ or the set is empty; `.invalidConfiguration`
    ///   for B < 1 or B > N.
    public init(features: Tensor, labels: Tensor, batchSize: Int) throws {
        guard features.rows == labels.rows, features.rank >= 1, labels.rank >= 1 else {
            throw PrivateLearningError.invalidTrainingData(
                "features have \(features.rows) rows but labels have \(labels.rows)")
        }
        guard features.rows > 0 else { throw PrivateLearningError.invalidTrainingData("no examples") }
        guard batchSize > 0, batchSize <= features.rows else {
            throw PrivateLearningError.invalidConfiguration(
                "batch size must lie in 1…\(features.rows) (the public number of examples), got \(batchSize)")
        }
        self.features = features
        self.labels = labels
        self.batchSize = batchSize
    }

    /// N (public under replace-one).
    public var exampleCount: Int { features.rows }
    public var samplingRate: Double { Double(batchSize) / Double(exampleCount) }
    public var expectedBatchSize: Double { Double(batchSize) }
    public var stepsPerEpoch: Int { (exampleCount + batchSize - 1) / batchSize }
    public var neighbouring: NeighbouringRelation { .replaceOne }
    public var featureWidth: Int { features.columns }

    /// B distinct indices, uniformly among all B-subsets of 0..<N, ascending (Floyd's algorithm: B random
    /// numbers, O(B) memory).
    public func sampleIndices<G: RandomNumberGenerator>(using generator: inout G) -> [Int] {
        Self.indices(count: exampleCount, batchSize: batchSize, using: &generator)
    }

    /// B = `batchSize` distinct indices in `0..<count`, ascending: what `sampleIndices` draws, for samplers that
    /// gather their rows on demand (the same draws from the same generator).
    public static func indices<G: RandomNumberGenerator>(count n: Int, batchSize b: Int, using generator: inout G) -> [Int] {
        if b >= n { return Array(0..<n) }
        var chosen = Set<Int>(minimumCapacity: b)
        for j in (n - b)..<n {
            let t = Int.random(in: 0...j, using: &generator)
            if !chosen.insert(t).inserted { chosen.insert(j) }
        }
        return chosen.sorted()
    }

    public func sampleBatch<G: RandomNumberGenerator>(using generator: inout G) -> TrainingBatch {
        let idx = sampleIndices(using: &generator)
        return TrainingBatch(features: features.gatheringRows(idx), labels: labels.gatheringRows(idx))
    }
}
