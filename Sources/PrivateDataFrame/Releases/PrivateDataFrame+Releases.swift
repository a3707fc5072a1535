import Foundation
import PrivacyAccounting

/// DP releases: the only way values leave a frame other than DP-SGD training.
///
/// Every release is an exact discrete mechanism on a public power-of-two grid (granularity 2ᵏ): each value is
/// snapped to the grid, the statistic is an exact integer number of grid units, its sensitivity is measured in
/// grid units (rounded up), discrete Laplace or discrete Gaussian noise is sampled exactly with integer arithmetic
/// (Canonne, Kamath & Steinke 2020) and only the noisy integer is converted back (`units × 2ᵏ`). No
/// floating-point noise reaches an output (Mironov 2012).
///
/// Sensitivities in grid units, for a column bounded by [a, b] snapped to [A, B]:
///
/// | statistic | `.addRemove` | `.replaceOne` |
/// |---|---|---|
/// | count | 1 | 1 (kept, see below) |
/// | sum | max(|A|, |B|) | B − A |
/// | histogram, confusion matrix | L1 = L2 = 1 | L1 = 2, L2 = √2 |
/// | centred numerator of a mean | max(B − C, C − A), C = ⌊(A + B)/2⌋ | B − A |
///
/// With a privacy unit (`boundingContributions`, at most k rows per unit) every sensitivity above is multiplied by k:
/// the neighbouring relation is then add/remove of a whole unit.
///
/// Under `.replaceOne` the number of records is public, so a count's sensitivity is 0; dpflow still releases
/// counts with noise of sensitivity 1, which is sound under both relations (a frame may have lost rows through a
/// declared drop policy, making its own row count private) and costs only the count's accuracy.
/// Means, accuracy, MSE and MAE are post-processing of two releases — a noisy centred sum and a noisy count —
/// each with half of ε (and δ).
extension PrivateDataFrame {

    // MARK: count, sum, mean

    /// Number of rows, plus exact discrete noise (sensitivity 1 row).
    /// - Parameters:
    ///   - epsilon: ε charged to the ledger before counting.
    ///   - mechanism: `.laplace` (default, δ = 0) or `.gaussian(delta:)`.
    ///   - granularity: the public grid (a power of two ≥ 2⁻³⁰; default 1).
    ///   - relation: the neighbouring relation (default `.addRemove`).
    ///   - budget: ledger and job to charge.
    ///   - noise: `.secure` (default); `.seeded` only in tests (result marked not private).
    public func releaseCount(epsilon: Double, mechanism: ReleaseMechanism = .laplace, granularity: Double? = nil,
                             relation: NeighbouringRelation = .addRemove,
                             charging budget: ReleaseBudget, noise: ReleaseNoise = .secure) throws -> DPRelease {
        try validateRelease(epsilon: epsilon, mechanism: mechanism)
        let (grid, calibrated) = try Self.countNoise(declared: granularity, epsilon: epsilon, mechanism: mechanism, cells: 1, relation: .addRemove, bound: contributionBound)
        let query = "count"
        return try charged(budget, query: query, epsilon: epsilon, mechanism: mechanism) {
            try Self.noisyCells(query: query, labels: ["count"], counts: [Int64(rowCount)], grid: grid, noise: calibrated,
                                epsilon: epsilon, mechanism: mechanism, relation: relation,
                                sensitivity: "count sensitivity \(grid.countStep * UInt64(contributionBound)) grid unit(s)", source: noise)
        }
    }

    /// Sum of a number/integer/boolean column, plus exact discrete noise. Sensitivity from the declared bounds
    /// [a, b] on the grid: max(|A|, |B|) under add/remove, B − A under replace-one.
    /// - Parameters: as `releaseCount`; the default granularity is 2^(⌊log₂ max(|a|, |b|, b − a)⌋ − 20).
    public func releaseSum(of column: String, epsilon: Double, mechanism: ReleaseMechanism = .laplace,
                           granularity: Double? = nil, relation: NeighbouringRelation = .addRemove,
                           charging budget: ReleaseBudget, noise: ReleaseNoise = .secure) throws -> DPRelease {
        try validateRelease(epsilon: epsilon, mechanism: mechanism)
        let (values, bounds) = try numericColumn(column)
        let (grid, calibrated, snapped, l1) = try Self.valueNoise(declared: granularity, bounds: bounds, column: column, epsilon: epsilon,
                                                                  mechanism: mechanism, relation: relation, centred: false, bound: contributionBound)
        let query = "sum(\(column))"
        return try charged(budget, query: query, epsilon: epsilon, mechanism: mechanism) {
            var bits = RandomBits(noise)
            let total = Self.unitSum(values, bounds: bounds, grid: grid, minus: 0)
            let noisy = try PartialSums.combineAndNoise([total]) { [try calibrated.noisy($0[0], &bits)] }[0]
            let h = grid.value(calibrated.halfWidth95Units), v = grid.value(noisy)
            return DPRelease(query: query, labels: [query], values: [v], noiseStd: [calibrated.stdUnits * grid.granularity],
                             confidenceIntervals95: [.init(lower: v - h, upper: v + h)],
                             mechanism: "\(mechanism.name), sum sensitivity \(l1) grid units (bounds [\(snapped.0), \(snapped.1)]), \(calibrated.parameters)",
                             granularity: grid.granularity, relation: relation, epsilon: epsilon,
                             delta: mechanism.delta, isPrivate: bits.isPrivate, note: nil)
        }
    }

    /// Mean of a number/integer/boolean column: a noisy centred sum (ε/2) over a noisy count (ε/2), clamped to the
    /// declared bounds.
    public func releaseMean(of column: String, epsilon: Double, mechanism: ReleaseMechanism = .laplace,
                            granularity: Double? = nil, relation: NeighbouringRelation = .addRemove,
                            charging budget: ReleaseBudget, noise: ReleaseNoise = .secure) throws -> DPRelease {
        try validateRelease(epsilon: epsilon, mechanism: mechanism)
        let (values, bounds) = try numericColumn(column)
        let mean = try BoundedMean(declared: granularity, bounds: bounds, column: column, epsilon: epsilon,
                                   mechanism: mechanism, relation: relation, bound: contributionBound)
        let query = "mean(\(column))"
        return try charged(budget, query: query, epsilon: epsilon, mechanism: mechanism) {
            let centred = Self.unitSum(values, bounds: bounds, grid: mean.grid, minus: mean.centre)
            return try mean.release(query: query, centredUnits: centred, count: values.count, source: noise)
        }
    }

    // MARK: histogram

    /// Counts of every declared value of a category (or boolean) column, plus independent exact discrete noise per
    /// bin (add/remove: L1 = L2 = 1; replace-one: L1 = 2, L2 = √2). All declared values are released, including
    /// empty ones.
    public func releaseHistogram(of column: String, epsilon: Double, mechanism: ReleaseMechanism = .laplace,
                                 granularity: Double? = nil, relation: NeighbouringRelation = .addRemove,
                                 charging budget: ReleaseBudget, noise: ReleaseNoise = .secure) throws -> DPRelease {
        try validateRelease(epsilon: epsilon, mechanism: mechanism)
        let (indices, labels) = try classColumn(column)
        let (grid, calibrated) = try Self.countNoise(declared: granularity, epsilon: epsilon, mechanism: mechanism, cells: labels.count, relation: relation, bound: contributionBound)
        let query = "histogram(\(column))"
        return try charged(budget, query: query, epsilon: epsilon, mechanism: mechanism) {
            var counts = [Int64](repeating: 0, count: labels.count)
            for k in indices { counts[Int(k)] += 1 }
            return try Self.noisyCells(query: query, labels: labels, counts: counts, grid: grid, noise: calibrated,
                                       epsilon: epsilon, mechanism: mechanism, relation: relation,
                                       sensitivity: Self.cellSensitivity(grid, relation, bound: contributionBound), source: noise)
        }
    }

    // MARK: model quality

    /// Fraction of rows where a predicted class column equals the label column (both category or boolean columns
    /// with the same number of declared values): a bounded mean of 0/1 (noisy centred correct count, ε/2, over a
    /// noisy count, ε/2), clamped to [0, 1].
    public func releaseAccuracy(prediction: String, label: String, epsilon: Double,
                                mechanism: ReleaseMechanism = .laplace, granularity: Double? = nil,
                                relation: NeighbouringRelation = .addRemove, charging budget: ReleaseBudget,
                                noise: ReleaseNoise = .secure) throws -> DPRelease {
        try validateRelease(epsilon: epsilon, mechanism: mechanism)
        let (p, pl) = try classColumn(prediction), (y, yl) = try classColumn(label)
        guard pl.count == yl.count else {
            throw DataFrameError.invalidArgument("'\(prediction)' has \(pl.count) classes but '\(label)' has \(yl.count)")
        }
        let mean = try BoundedMean(declared: granularity, bounds: 0...1, column: "accuracy", epsilon: epsilon,
                                   mechanism: mechanism, relation: relation, bound: contributionBound)
        let query = "accuracy(\(prediction) vs \(label))"
        return try charged(budget, query: query, epsilon: epsilon, mechanism: mechanism) {
            var correct: Int64 = 0
            for i in 0..<rowCount where p[i] == y[i] { correct += 1 }
            let (lo, hi) = mean.snapped
            let centred = correct * (hi - mean.centre) + (Int64(rowCount) - correct) * (lo - mean.centre)
            return try mean.release(query: query, centredUnits: centred, count: rowCount, source: noise)
        }
    }

    /// Confusion matrix (rows: true class, columns: predicted class), one exact discrete noisy count per cell
    /// (sensitivities as for a histogram). Labels read `true=a,predicted=b`, row-major.
    public func releaseConfusionMatrix(prediction: String, label: String, epsilon: Double,
                                       mechanism: ReleaseMechanism = .laplace, granularity: Double? = nil,
                                       relation: NeighbouringRelation = .addRemove, charging budget: ReleaseBudget,
                                       noise: ReleaseNoise = .secure) throws -> DPRelease {
        try validateRelease(epsilon: epsilon, mechanism: mechanism)
        let (p, pl) = try classColumn(prediction), (y, yl) = try classColumn(label)
        let k = yl.count, m = pl.count
        let labels = yl.flatMap { t in pl.map { "true=\(t),predicted=\($0)" } }
        let (grid, calibrated) = try Self.countNoise(declared: granularity, epsilon: epsilon, mechanism: mechanism, cells: k * m, relation: relation, bound: contributionBound)
        let query = "confusion_matrix(\(prediction) vs \(label))"
        return try charged(budget, query: query, epsilon: epsilon, mechanism: mechanism) {
            var counts = [Int64](repeating: 0, count: k * m)
            for i in 0..<rowCount { counts[Int(y[i]) * m + Int(p[i])] += 1 }
            return try Self.noisyCells(query: query, labels: labels, counts: counts, grid: grid, noise: calibrated,
                                       epsilon: epsilon, mechanism: mechanism, relation: relation,
                                       sensitivity: Self.cellSensitivity(grid, relation, bound: contributionBound), source: noise)
        }
    }

    /// Mean squared error of a numeric prediction column against a numeric label column. The prediction is clamped
    /// to the label's declared bounds [lo, hi], so each squared error lies in [0, (hi − lo)²]; released as a
    /// bounded mean (ε/2 + ε/2).
    public func releaseMeanSquaredError(prediction: String, label: String, epsilon: Double,
                                        mechanism: ReleaseMechanism = .laplace, granularity: Double? = nil,
                                        relation: NeighbouringRelation = .addRemove, charging budget: ReleaseBudget,
                                        noise: ReleaseNoise = .secure) throws -> DPRelease {
        try releaseMeanError(prediction: prediction, label: label, name: "mse", epsilon: epsilon, mechanism: mechanism,
                             granularity: granularity, relation: relation, charging: budget, noise: noise,
                             bound: { $0 * $0 }, error: { $0 * $0 })
    }

    /// Mean absolute error of a numeric prediction column against a numeric label column. The prediction is
    /// clamped to the label's declared bounds [lo, hi], so each absolute error lies in [0, hi − lo]; released as a
    /// bounded mean (ε/2 + ε/2), like `releaseMeanSquaredError`.
    public func releaseMeanAbsoluteError(prediction: String, label: String, epsilon: Double,
                                         mechanism: ReleaseMechanism = .laplace, granularity: Double? = nil,
                                         relation: NeighbouringRelation = .addRemove, charging budget: ReleaseBudget,
                                         noise: ReleaseNoise = .secure) throws -> DPRelease {
        try releaseMeanError(prediction: prediction, label: label, name: "mae", epsilon: epsilon, mechanism: mechanism,
                             granularity: granularity, relation: relation, charging: budget, noise: noise,
                             bound: { $0 }, error: { Swift.abs($0) })
    }

    /// Bounded mean of `error(clamp(prediction) − label)` over rows. `bound(hi − lo)` is the largest value `error`
    /// can take once the prediction is clamped to the label's declared bounds; each row's error is also capped
    /// there, so the sensitivity holds exactly.
    private func releaseMeanError(prediction: String, label: String, name: String, epsilon: Double,
                                  mechanism: ReleaseMechanism, granularity: Double?, relation: NeighbouringRelation,
                                  charging budget: ReleaseBudget, noise: ReleaseNoise,
                                  bound: (Double) -> Double, error: (Double) -> Double) throws -> DPRelease {
        try validateRelease(epsilon: epsilon, mechanism: mechanism)
        let (p, _) = try numericColumn(prediction), (y, yb) = try numericColumn(label)
        let lo = Float(yb.lowerBound), hi = Float(yb.upperBound)
        let top = bound(yb.upperBound - yb.lowerBound)
        guard top.isFinite else { throw DataFrameError.invalidArgument("the bounds of '\(label)' are too wide for \(name)") }
        let mean = try BoundedMean(declared: granularity, bounds: 0...top, column: label, epsilon: epsilon,
                                   mechanism: mechanism, relation: relation, bound: contributionBound)
        let query = "\(name)(\(prediction) vs \(label))"
        return try charged(budget, query: query, epsilon: epsilon, mechanism: mechanism) {
            var centred: Int64 = 0
            for i in 0..<rowCount {
                let e = min(error(Double(min(max(p[i], lo), hi) - y[i])), top)
                centred = Self.saturatingAdd(centred, mean.grid.units(e) - mean.centre)
            }
            return try mean.release(query: query, centredUnits: centred, count: rowCount, source: noise)
        }
    }

    // MARK: helpers

    func validateRelease(epsilon: Double, mechanism: ReleaseMechanism) throws {
        guard epsilon.isFinite, epsilon > 0 else { throw DataFrameError.invalidBudget("ε of a release must be a positive number") }
        if case let .gaussian(d) = mechanism, !(d > 0 && d < 1) {
            throw DataFrameError.invalidBudget("δ of a Gaussian release must be in (0, 1)")
        }
    }

    /// Charges (ε, δ) (ledger reservation or allotment), computes, commits. A failure after the charge leaves it
    /// charged.
    func charged(_ budget: ReleaseBudget, query: String, epsilon: Double, mechanism: ReleaseMechanism,
                 _ compute: () throws -> DPRelease) throws -> DPRelease {
        let reservation = try budget.charge(dataset: datasetID, mechanism: "\(mechanism.name) \(query)",
                                            epsilon: epsilon, delta: mechanism.delta)
        let result = try compute()
        try budget.finish(reservation)
        return result
    }

    func numericColumn(_ name: String) throws -> ([Float], ClosedRange<Double>) {
        let c = try column(named: name)
        guard case let .numeric(v) = storage(of: c), let b = c.spec.kind.bounds else {
            throw DataFrameError.wrongColumnType(column: name, expected: "number, integer or boolean", actual: c.spec.kind.typeName)
        }
        return (v, b)
    }

    func classColumn(_ name: String) throws -> ([Int32], [String]) {
        let c = try column(named: name)
        switch (storage(of: c), c.spec.kind) {
        case let (.categorical(v), .category(values)): return (v, values)
        case let (.numeric(v), .boolean): return (v.map { $0 == 0 ? 0 : 1 }, ["false", "true"])
        default:
            throw DataFrameError.wrongColumnType(column: name, expected: "category or boolean", actual: c.spec.kind.typeName)
        }
    }

    static func saturatingAdd(_ x: Int64, _ y: Int64) -> Int64 {
        let (s, o) = x.addingReportingOverflow(y)
        return o ? (y > 0 ? .max : .min) : s
    }

    /// Σ (units(clamp(v, bounds)) − minus): an exact integer (saturating only beyond 2⁶³, i.e. never for a frame
    /// that fits in memory, since a row spans at most 2³⁰ grid units).
    static func unitSum(_ v: [Float], bounds: ClosedRange<Double>, grid: ReleaseGrid, minus: Int64) -> Int64 {
        var total: Int64 = 0
        for x in v {
            let clamped = min(max(Double(x), bounds.lowerBound), bounds.upperBound)
            total = saturatingAdd(total, grid.units(clamped) - minus)
        }
        return total
    }

    static func cellSensitivity(_ grid: ReleaseGrid, _ relation: NeighbouringRelation, bound k: Int = 1) -> String {
        let step = grid.countStep * UInt64(max(1, k))
        let unit = k > 1 ? "unit of at most \(k) rows" : "row"
        switch relation {
        case .addRemove: return "one cell per row: L1 = L2 = \(step) grid unit(s)" + (k > 1 ? " per \(unit)" : "")
        case .replaceOne: return "two cells per replaced \(unit): L1 = \(2 * step), L2 = √2·\(step) grid units"
        }
    }

    /// The grid and noise for integer counts (`cells` of them; add/remove moves one cell, replace-one two).
    /// Without a declared granularity, a Gaussian whose σ exceeds the exact sampler's range is moved to a coarser
    /// grid (a function of ε, δ and the relation only).
    static func countNoise(declared: Double?, epsilon: Double, mechanism: ReleaseMechanism, cells: Int,
                           relation: NeighbouringRelation, bound k: Int = 1) throws -> (ReleaseGrid, CalibratedNoise) {
        let first = try declared.map(ReleaseGrid.init(granularity:)) ?? .unit
        guard first.exponent >= -30 else {
            throw DataFrameError.invalidArgument("granularity \(first.granularity) is too fine for counts (at least 2^-30)")
        }
        return try withCoarsening(first, coarsen: declared == nil) { grid in
            // A privacy unit of k rows (`contributionBound`) moves k cells, or one cell by k: L1 = L2 = k steps.
            let step = grid.countStep * UInt64(max(1, k))
            let l1 = relation == .replaceOne && cells > 1 ? 2 * step : step
            let l2Squared = relation == .replaceOne && cells > 1 ? 2 * step * step : step * step
            return try mechanism.calibrate(l1: l1, l2Squared: l2Squared, epsilon: epsilon)
        }
    }

    /// The grid, noise, snapped bounds and L1 sensitivity for a sum (or, `centred`, a centred numerator) of a
    /// column bounded by `bounds`.
    static func valueNoise(declared: Double?, bounds: ClosedRange<Double>, column: String, epsilon: Double,
                           mechanism: ReleaseMechanism, relation: NeighbouringRelation, centred: Bool, bound k: Int = 1)
        throws -> (ReleaseGrid, CalibratedNoise, (Int64, Int64), UInt64) {
        let first = try declared.map(ReleaseGrid.init(granularity:)) ?? .defaultFor(bounds: bounds)
        var snapped: (Int64, Int64) = (0, 0)
        var l1: UInt64 = 0
        let (grid, noise) = try withCoarsening(first, coarsen: declared == nil) { grid in
            snapped = try grid.snappedBounds(bounds, column: column)
            // k rows of one privacy unit (`contributionBound`) each move the sum by at most the row sensitivity.
            let (scaled, overflow) = sensitivity(snapped, relation: relation, centred: centred).multipliedReportingOverflow(by: UInt64(max(1, k)))
            l1 = overflow ? .max : scaled
            return try mechanism.calibrate(l1: l1, l2Squared: l1 * l1, epsilon: epsilon)
        }
        return (grid, noise, snapped, l1)
    }

    /// Sensitivity in grid units of a sum over [A, B] (`centred`: of Σ(v − C), C = ⌊(A + B)/2⌋).
    static func sensitivity(_ s: (Int64, Int64), relation: NeighbouringRelation, centred: Bool) -> UInt64 {
        let (a, b) = s
        switch relation {
        case .replaceOne: return UInt64(b - a)
        case .addRemove:
            if centred {
                let c = (a + b) >> 1
                return UInt64(max(b - c, c - a))
            }
            return max(a.magnitude, b.magnitude)
        }
    }

    /// Calibrates on `grid`; when `coarsen` (no declared granularity) and the exact sampler cannot take the scale,
    /// retries on grids up to 2⁴⁰ times coarser.
    static func withCoarsening(_ grid: ReleaseGrid, coarsen: Bool,
                               _ calibrate: (ReleaseGrid) throws -> CalibratedNoise) throws -> (ReleaseGrid, CalibratedNoise) {
        var current = grid
        while true {
            do { return (current, try calibrate(current)) }
            catch let error as ExactNoiseError {
                guard coarsen, current.exponent < min(60, grid.exponent + 40) else {
                    throw DataFrameError.invalidArgument(error.description)
                }
                current = current.coarser(by: 1)
            }
        }
    }

    /// Integer counts on `grid` plus exact discrete noise, one draw per cell.
    static func noisyCells(query: String, labels: [String], counts: [Int64], grid: ReleaseGrid, noise: CalibratedNoise,
                           epsilon: Double, mechanism: ReleaseMechanism, relation: NeighbouringRelation,
                           sensitivity: String, source: ReleaseNoise) throws -> DPRelease {
        var bits = RandomBits(source)
        let values = try PartialSums.combineAndNoise(counts) { totals in
            try totals.map { try noise.noisy(grid.units(Double($0)), &bits) }
        }.map { grid.value($0) }
        let h = grid.value(noise.halfWidth95Units)
        return DPRelease(query: query, labels: labels, values: values,
                         noiseStd: Array(repeating: noise.stdUnits * grid.granularity, count: values.count),
                         confidenceIntervals95: values.map { .init(lower: $0 - h, upper: $0 + h) },
                         mechanism: "\(mechanism.name), \(sensitivity), \(noise.parameters)",
                         granularity: grid.granularity, relation: relation, epsilon: epsilon,
                         delta: mechanism.delta, isPrivate: bits.isPrivate, note: nil)
    }
}
