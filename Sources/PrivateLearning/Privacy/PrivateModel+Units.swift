/// User-level DP-SGD: clipping per privacy unit (contract C1).
///
/// A unit's gradient is the **sum** of its rows' per-example gradients, `g_u = Σ_{i∈u} g_i`, clipped as a whole:
/// the step's clipped sum is `Σ_u min(1, C/‖g_u‖)·g_u`, so adding or removing one unit — however many rows it has —
/// moves it by at most C, and the Gaussian noise of std σ_g·C added once per step covers the unit. In book-keeping
/// form every row i carries the weight `c_{unit(i)}`, and the clipped sum is one weighted backward reduction.
///
/// Norms: a unit with one row in the batch uses that row's per-example norm (the layers' fast path); a unit with
/// several rows materialises its summed gradient (one weighted reduction per such unit). This is the simple,
/// correct reference path; a faster ghost-norm version replaces it in the new privatizer.
extension PrivateModel {
    /// Per-row clip weights `c_{unit(i)} = min(1, C/‖Σ_{j∈unit(i)} g_j‖)` after `forwardBackward` on `batchSize` rows.
    /// A unit whose norm is not finite gets 0 (dropped, which keeps the bound C).
    func unitClipFactors(units: [Int], unitCount: Int, batchSize b: Int) -> [Float] {
        precondition(units.count == b, "one unit index per row")
        let rowNorms = perExampleSquaredNorms(batchSize: b)
        var rowsOfUnit = [[Int]](repeating: [], count: unitCount)
        for (i, u) in units.enumerated() {
            precondition(u >= 0 && u < unitCount, "unit index outside 0..<unitCount")
            rowsOfUnit[u].append(i)
        }
        var unitFactor = [Float](repeating: 0, count: unitCount)
        var weights = [Float](repeating: 0, count: b)
        for (u, rows) in rowsOfUnit.enumerated() where !rows.isEmpty {
            let squared: Double
            if rows.count == 1 {
                squared = rowNorms[rows[0]]
            } else {
                for i in rows { weights[i] = 1 }
                squared = model.parameterGradients(exampleWeights: weights).reduce(0.0) { acc, g in
                    g.storage.reduce(acc) { $0 + Double($1) * Double($1) }
                }
                for i in rows { weights[i] = 0 }
            }
            unitFactor[u] = ClipFactor.factor(squaredNorm: squared, clip: l2NormClip)
        }
        return units.map { unitFactor[$0] }
    }

    /// Σ_u min(Σ_{i∈u} min(max(ℓ_i, 0), L), L): each unit's clipped losses summed and the sum clipped to L, so one
    /// unit moves the loss release by at most L.
    static func unitClippedLossSum(_ losses: [Float], units: [Int], unitCount: Int, clip: Double) -> Double {
        var perUnit = [Double](repeating: 0, count: unitCount)
        for (l, u) in zip(losses, units) { perUnit[u] += clippedLoss(l, clip: clip) }
        return perUnit.reduce(0) { $0 + Swift.min($1, clip) }
    }

    /// One step's full release on a batch of units (`TrainingBatch.units`; nil: every row its own unit):
    /// `(Σ_u clip_C(Σ_{i∈u} g_i) + N(0, σ_g²C²I)) / expectedBatchSize`, and with loss tracking the noisy per-unit
    /// clipped loss sum. `expectedBatchSize` is the public expected number of units per batch.
    public func privatizedStep(_ batch: TrainingBatch, expectedBatchSize: Double) throws -> PrivatizedStep {
        try privatizedStep(features: batch.features, labels: batch.labels, units: batch.units, unitCount: batch.unitCount,
                           expectedBatchSize: expectedBatchSize, pipeline: nil)
    }
}
