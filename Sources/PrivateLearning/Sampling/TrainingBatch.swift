/// One batch drawn by a `BatchSampler`.
public struct TrainingBatch: Sendable {
    /// `[B, …]` per-example inputs.
    public var features: Tensor
    /// `[B, …]` per-example targets.
    public var labels: Tensor
    /// Privacy unit of each row, as an index `0..<unitCount` within this batch; nil = every row is its own unit.
    public var units: [Int]?
    /// Number of distinct units in this batch (== B when `units` is nil).
    public var unitCount: Int

    public init(features: Tensor, labels: Tensor, units: [Int]? = nil, unitCount: Int? = nil) {
        self.features = features
        self.labels = labels
        self.units = units
        self.unitCount = unitCount ?? (units.map { ($0.max() ?? -1) + 1 } ?? features.rows)
    }

    /// Rows in the batch.
    public var rowCount: Int { features.rows }

    /// The unit grouping of the rows.
    public var privacyUnits: PrivacyUnits { PrivacyUnits(unitOfRow: units, count: unitCount) }
}
