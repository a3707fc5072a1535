import PrivacyAccounting

/// The privacy a stage spends, known before any data is touched.
public struct StageCost: Sendable, Equatable {
    /// ε of this stage's (ε, δ) guarantee.
    public var epsilon: Double
    /// δ of this stage's guarantee (0 for pure-ε mechanisms such as Laplace).
    public var delta: Double
    /// What the cost is made of, e.g. "DP-SGD, RDP accountant, σ = 1.1, q = 0.0703, 426 steps".
    public var detail: String

    /// For DP-SGD stages: the run's shape and the (possibly calibrated) noise multiplier.
    public var training: TrainingPlan?

    public init(epsilon: Double, delta: Double, detail: String, training: TrainingPlan? = nil) {
        self.epsilon = epsilon
        self.delta = delta
        self.detail = detail
        self.training = training
    }

    public static let free = StageCost(epsilon: 0, delta: 0, detail: "no privacy cost")
}

/// The planned shape of a DP-SGD run, computed before training with the accountant the pipeline names.
///
/// When the number of records comes from a DP count at run time (`deferred`), `examples`, `samplingRate`,
/// `steps` and `noiseMultiplier` are 0 in the plan and are fixed after the count, σ being calibrated then to
/// `targetEpsilon` (the reserved ε); see `TrainStage.resolvedPlan(trainingRecords:planned:)`.
public struct TrainingPlan: Sendable, Equatable {
    /// N, the public number of training examples (declared, DP-counted, or read from the data under replace_one).
    public var examples: Int
    public var batchSize: Int
    public var epochs: Int
    /// q = B/N.
    public var samplingRate: Double
    /// epochs·ceil(N/B) (`DPSGDRun`'s convention, shared with `dpflow budget`).
    public var steps: Int
    /// σ, given or calibrated from `target_epsilon`.
    public var noiseMultiplier: Double
    public var calibrated: Bool
    public var l2NormClip: Double
    public var delta: Double
    public var accountant: String
    /// The neighbouring relation the run is accounted under (Poisson sampling for add_remove, fixed-size
    /// batches without replacement for replace_one).
    public var neighbouring: NeighbouringRelation = .addRemove
    /// True when N (and so q, the steps and σ) is fixed at run time from a DP count.
    public var deferred: Bool = false
    /// The ε σ is calibrated to (nil for a given noise multiplier).
    public var targetEpsilon: Double? = nil
}
