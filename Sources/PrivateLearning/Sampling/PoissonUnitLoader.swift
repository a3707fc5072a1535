import PrivacyAccounting

/// Poisson sampling of privacy units (user-level DP-SGD): at every step each *unit* (a person, a patient …) is
/// included independently with probability `q = B_units / N_units`, and with it every one of its rows.
///
/// The neighbouring relation is add/remove of one whole unit (all of its rows), so the accountant's event is the
/// Poisson-subsampled Gaussian with q over units, and DP-SGD clips each unit's summed gradient to C
/// (`TrainingBatch.units`). `batchSize` is the expected number of *units* per batch, the divisor of the noisy
/// sum; an epoch is `ceil(N_units / B_units)` steps. With `accountedUnits` (a declared or DP-counted public
/// number of units) the realised number of units never steers q, the steps or the divisor.
public struct PoissonUnitLoader: BatchSampler {
    /// Features, batch-first (`[N_rows, …]`).
    public let features: Tensor
    /// Labels, batch-first (`[N_rows, …]`).
    public let labels: Tensor
    /// The rows of each unit (indices into `features`), after contribution bounding.
    public let unitRows: [[Int]]
    /// Expected number of units per batch, B_units (public).
    public let batchSize: Int
    /// The public N_units of the accounting (nil: the number of units present, as when it is public).
    public let accountedUnits: Int?

    /// - Parameter unitOfRow: the unit id of each row (any integer; rows with the same id form one unit).
    /// - Throws: `.invalidTrainingData` when row counts differ, or no units are given without `accountedUnits`;
    ///   `.invalidConfiguration` for B_units ≤ 0 or B_units > `accountedUnits`.
    public init(features: Tensor, labels: Tensor, unitOfRow: [Int], batchSize: Int, accountedUnits: Int? = nil) throws {
        guard features.rows == unitOfRow.count else {
            throw PrivateLearningError.invalidTrainingData("features have \(features.rows) rows but \(unitOfRow.count) unit ids were given")
        }
        try self.init(features: features, labels: labels, unitRows: Self.group(unitOfRow), batchSize: batchSize,
                      accountedUnits: accountedUnits)
    }

    /// - Parameter unitRows: the rows of each unit; every row index at most once.
    public init(features: Tensor, labels: Tensor, unitRows: [[Int]], batchSize: Int, accountedUnits: Int? = nil) throws {
        guard features.rows == labels.rows, features.rank >= 1, labels.rank >= 1 else {
            throw PrivateLearningError.invalidTrainingData("features have \(features.rows) rows but labels have \(labels.rows)")
        }
        guard !unitRows.isEmpty || accountedUnits != nil else { throw PrivateLearningError.invalidTrainingData("no units") }
        guard unitRows.allSatisfy({ $0.allSatisfy { $0 >= 0 && $0 < features.rows } }) else {
            throw PrivateLearningError.invalidTrainingData("a unit lists a row outside the data")
        }
        guard batchSize > 0 else { throw PrivateLearningError.invalidConfiguration("batch size (units) must be > 0, got \(batchSize)") }
        if let accountedUnits, accountedUnits < batchSize {
            throw PrivateLearningError.invalidConfiguration(
                "batch size \(batchSize) units exceeds the accounted public number of units \(accountedUnits)")
        }
        self.features = features
        self.labels = labels
        self.unitRows = unitRows
        self.accountedUnits = accountedUnits
        self.batchSize = accountedUnits == nil ? min(batchSize, unitRows.count) : batchSize
    }

    /// Groups row indices by unit id, units in order of first appearance.
    public static func group(_ unitOfRow: [Int]) -> [[Int]] {
        var index: [Int: Int] = [:]
        var groups: [[Int]] = []
        for (row, id) in unitOfRow.enumerated() {
            if let k = index[id] { groups[k].append(row) } else {
                index[id] = groups.count
                groups.append([row])
            }
        }
        return groups
    }

    /// Number of units present (private when a public number is declared).
    public var unitCountPresent: Int { unitRows.count }
    /// N_units of the accounting.
    public var publicUnits: Int { accountedUnits ?? unitRows.count }
    public var featureWidth: Int { features.columns }
    /// q = B_units / N_units.
    public var samplingRate: Double { Double(batchSize) / Double(publicUnits) }
    /// B_units: the divisor of the noisy sum of per-unit clipped gradients.
    public var expectedBatchSize: Double { Double(batchSize) }
    /// `ceil(N_units / B_units)`.
    public var stepsPerEpoch: Int { (publicUnits + batchSize - 1) / batchSize }
    /// Add/remove of one whole unit.
    public var neighbouring: NeighbouringRelation { .addRemove }

    /// Rows of one batch and the unit index (within the batch) of each: the units drawn by Poisson sampling at
    /// rate q, each with all of its rows.
    public func sampleRows<G: RandomNumberGenerator>(using generator: inout G) -> (rows: [Int], units: [Int], unitCount: Int) {
        Self.unitBatch(unitRows: unitRows, samplingRate: samplingRate, using: &generator)
    }

    /// The rows and per-row unit indices of one Poisson batch of units (shared with samplers that gather their rows
    /// on demand).
    public static func unitBatch<G: RandomNumberGenerator>(unitRows: [[Int]], samplingRate q: Double,
                                                           using generator: inout G) -> (rows: [Int], units: [Int], unitCount: Int) {
        let chosen = PoissonLoader.poissonIndices(count: unitRows.count, samplingRate: q, using: &generator)
        var rows: [Int] = [], units: [Int] = []
        for (k, u) in chosen.enumerated() {
            rows.append(contentsOf: unitRows[u])
            units.append(contentsOf: repeatElement(k, count: unitRows[u].count))
        }
        return (rows, units, chosen.count)
    }

    public func sampleBatch<G: RandomNumberGenerator>(using generator: inout G) -> TrainingBatch {
        let (rows, units, count) = sampleRows(using: &generator)
        return TrainingBatch(features: features.gatheringRows(rows), labels: labels.gatheringRows(rows), units: units, unitCount: count)
    }
}
