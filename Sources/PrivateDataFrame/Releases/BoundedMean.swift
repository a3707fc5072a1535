import PrivacyAccounting

/// A bounded mean released as post-processing of two exact discrete releases: a noisy centred sum Σ(v − C) on
/// the value grid (ε/2, δ/2) and a noisy count (ε/2, δ/2), with mean = (C + S̃/max(Ñ, 1))·2ᵏ clamped to [a, b].
///
/// Centring at C = ⌊(A + B)/2⌋ halves the numerator's add/remove sensitivity to max(B − C, C − A); under
/// replace-one it is B − A. Everything is calibrated before any data value is read.
struct BoundedMean {
    let grid: ReleaseGrid
    let bounds: ClosedRange<Double>
    /// [A, B]: the bounds in grid units.
    let snapped: (Int64, Int64)
    /// C = ⌊(A + B)/2⌋.
    let centre: Int64
    let numeratorSensitivity: UInt64
    let numerator: CalibratedNoise
    let countGrid: ReleaseGrid
    let count: CalibratedNoise
    let epsilon: Double
    let mechanism: ReleaseMechanism
    let relation: NeighbouringRelation
    /// Rows per privacy unit (1: row-level); the count's sensitivity.
    let rowsPerUnit: Int

    init(declared: Double?, bounds: ClosedRange<Double>, column: String, epsilon: Double,
         mechanism: ReleaseMechanism, relation: NeighbouringRelation, bound k: Int = 1) throws {
        let half = mechanism.halved
        (grid, numerator, snapped, numeratorSensitivity) = try PrivateDataFrame.valueNoise(
            declared: declared, bounds: bounds, column: column, epsilon: epsilon / 2, mechanism: half,
            relation: relation, centred: true, bound: k)
        centre = (snapped.0 + snapped.1) >> 1
        (countGrid, count) = try PrivateDataFrame.countNoise(declared: nil, epsilon: epsilon / 2, mechanism: half,
                                                             cells: 1, relation: .addRemove, bound: k)
        self.bounds = bounds
        self.epsilon = epsilon
        self.mechanism = mechanism
        self.relation = relation
        self.rowsPerUnit = max(1, k)
    }

    /// The release for Σ(units(v) − C) = `centredUnits` over `count` rows.
    func release(query: String, centredUnits: Int64, count n: Int, source: ReleaseNoise) throws -> DPRelease {
        var bits = RandomBits(source)
        let noisy = try PartialSums.combineAndNoise([centredUnits, Int64(n)]) { totals in
            [try numerator.noisy(totals[0], &bits), try count.noisy(countGrid.units(Double(totals[1])), &bits)]
        }
        let s = noisy[0]
        let noisyCount = countGrid.value(noisy[1])
        let g = grid.granularity
        let denominator = max(noisyCount, 1)
        let sum = Double(s) * g                          // noisy centred sum, in value units
        let mean = min(max(Double(centre) * g + sum / denominator, bounds.lowerBound), bounds.upperBound)
        // Delta method on S/N with the noisy values (post-processing only).
        let ss = numerator.stdUnits * g, sn = count.stdUnits * countGrid.granularity
        let std = ((ss / denominator) * (ss / denominator) + (sum * sn / (denominator * denominator)) * (sum * sn / (denominator * denominator))).squareRoot()
        let h = 1.959963984540054 * std
        return DPRelease(query: query, labels: [query], values: [mean], noiseStd: [std],
                         confidenceIntervals95: [.init(lower: max(mean - h, bounds.lowerBound), upper: min(mean + h, bounds.upperBound))],
                         mechanism: "\(mechanism.name), sum sensitivity \(numeratorSensitivity) grid units = "
                             + "\(Double(numeratorSensitivity) * g) (centred), \(numerator.parameters); "
                             + "count sensitivity \(countGrid.countStep * UInt64(rowsPerUnit)), \(count.parameters)",
                         granularity: g, relation: relation, epsilon: epsilon, delta: mechanism.delta,
                         isPrivate: bits.isPrivate,
                         note: "noisy centred sum on the grid (ε/2) over noisy count (ε/2), clamped to "
                             + "[\(bounds.lowerBound), \(bounds.upperBound)]; std and CI by the delta method (approximate)")
    }
}
