import PrivacyAccounting

/// How DP-SGD draws its batches: the sampling scheme the accountant must match.
///
/// Two samplers exist: `PoissonLoader` (add/remove-one neighbours: each example independently with probability
/// q) and `WithoutReplacementLoader` (replace-one neighbours: exactly B distinct examples per step). Both
/// divide the noisy gradient sum by the public batch size B and take `ceil(N/B)` steps per epoch.
public protocol BatchSampler: Sendable {
    /// Elements per example of the features (the model's input width). The examples themselves need not be held
    /// as one tensor: a sampler may gather each batch on demand (e.g. encoded from a data frame's columns).
    var featureWidth: Int { get }
    /// The public batch size B (expected under Poisson sampling, exact without replacement).
    var batchSize: Int { get }
    /// q = B/N with the public N the run is accounted for.
    var samplingRate: Double { get }
    /// The divisor of the noisy gradient sum: B, public.
    var expectedBatchSize: Double { get }
    /// `ceil(N/B)` with the public N.
    var stepsPerEpoch: Int { get }
    /// The neighbouring relation this sampling scheme is accounted under.
    var neighbouring: NeighbouringRelation { get }
    /// Features, labels and (with a privacy-unit column) the unit of every row of one batch.
    func sampleBatch<G: RandomNumberGenerator>(using generator: inout G) -> TrainingBatch
}

extension PoissonLoader: BatchSampler {
    public var neighbouring: NeighbouringRelation { .addRemove }
    public var featureWidth: Int { features.columns }
}
