import Foundation

/// DP releases: the only way values leave a frame other than DP-SGD training.
///
/// Neighbouring data sets differ by adding or removing one row. Sensitivities come from the
/// schema: a count changes by at most 1; a sum of a column bounded by [lo, hi] by
/// max(|lo|, |hi|); a histogram (or confusion matrix) changes one cell by 1 (L1 = L2 = 1).
/// Means, accuracy and MSE are ratios of two noisy statistics, each given half of ε (and δ);
/// the numerator is centred on the middle of the bounds so its sensitivity is (hi − lo)/2.
extension PrivateDataFrame {

    // MARK: count, sum, mean

    /// Number of rows, plus noise (sensitivity 1).
    /// - Parameters:
    ///   - epsilon: ε charged to the ledger before counting.
    ///   - mechanism: `.laplace` (default, δ = 0) or `.gaussian(delta:)`.
    ///   - budget: ledger and job to charge.
    ///   - noise: `.secure` (default); `.seeded` only in tests (result marked not private).
    public func releaseCount(epsilon: Double, mechanism: ReleaseMechanism = .laplace,
                             charging budget: ReleaseBudget, noise: ReleaseNoise = .secure) throws -> DPRelease {
        try validateRelease(epsilon: epsilon, mechanism: mechanism)
        let query = "count"
        return try charged(budget, query: query, epsilon: epsilon, mechanism: mechanism) {
            Self.noisyCells(query: query, labels: ["count"], counts: [Double(rowCount)], epsilon: epsilon,
                            mechanism: mechanism, noise: noise)
        }
    }

    /// Sum of a number/integer/boolean column, plus noise (sensitivity max(|lo|, |hi|) from the
    /// declared bounds; values were clamped to them at load time).
    public func releaseSum(of column: String, epsilon: Double, mechanism: ReleaseMechanism = .laplace,
                           charging budget: ReleaseBudget, noise: ReleaseNoise = .secure) throws -> DPRelease {
        try validateRelease(epsilon: epsilon, mechanism: mechanism)
        let (values, bounds) = try numericColumn(column)
        let sensitivity = max(abs(bounds.lowerBound), abs(bounds.upperBound))
        let query = "sum(\(column))"
        return try charged(budget, query: query, epsilon: epsilon, mechanism: mechanism) {
            var sampler = NoiseSampler(noise)
            let (param, std) = mechanism.calibrate(epsilon: epsilon, l1: sensitivity, l2: sensitivity)
            let noisy = Self.sum(values) + draw(mechanism, param, &sampler)
            let h = mechanism.halfWidth95(parameter: param)
            return DPRelease(query: query, labels: [query], values: [noisy], noiseStd: [std],
                             confidenceIntervals95: [.init(lower: noisy - h, upper: noisy + h)],
                             mechanism: "\(mechanism.name), sensitivity \(sensitivity)", epsilon: epsilon,
                             delta: mechanism.delta, isPrivate: sampler.isPrivate, note: nil)
        }
    }

    /// Mean of a number/integer/boolean column: a noisy centred sum (ε/2) over a noisy count
    /// (ε/2), clamped to the declared bounds.
    public func releaseMean(of column: String, epsilon: Double, mechanism: ReleaseMechanism = .laplace,
                            charging budget: ReleaseBudget, noise: ReleaseNoise = .secure) throws -> DPRelease {
        try validateRelease(epsilon: epsilon, mechanism: mechanism)
        let (values, bounds) = try numericColumn(column)
        let query = "mean(\(column))"
        return try charged(budget, query: query, epsilon: epsilon, mechanism: mechanism) {
            var sampler = NoiseSampler(noise)
            let center = (bounds.lowerBound + bounds.upperBound) / 2
            let centered = Self.sum(values) - center * Double(values.count)
            return Self.boundedMean(query: query, centeredSum: centered, count: values.count, bounds: bounds,
                                    epsilon: epsilon, mechanism: mechanism, sampler: &sampler)
        }
    }

    // MARK: histogram

    /// Counts of every declared value of a category (or boolean) column, plus independent noise
    /// per bin (L1 = L2 sensitivity 1). All declared values are released, including empty ones.
    public func releaseHistogram(of column: String, epsilon: Double, mechanism: ReleaseMechanism = .laplace,
                                 charging budget: ReleaseBudget, noise: ReleaseNoise = .secure) throws -> DPRelease {
        try validateRelease(epsilon: epsilon, mechanism: mechanism)
        let (indices, labels) = try classColumn(column)
        let query = "histogram(\(column))"
        return try charged(budget, query: query, epsilon: epsilon, mechanism: mechanism) {
            var counts = [Double](repeating: 0, count: labels.count)
            for k in indices { counts[Int(k)] += 1 }
            return Self.noisyCells(query: query, labels: labels, counts: counts, epsilon: epsilon,
                                   mechanism: mechanism, noise: noise)
        }
    }

    // MARK: model quality

    /// Fraction of rows where a predicted class column equals the label column (both category or
    /// boolean columns with the same number of declared values): noisy correct count (ε/2) over
    /// noisy count (ε/2), clamped to [0, 1].
    public func releaseAccuracy(prediction: String, label: String, epsilon: Double,
                                mechanism: ReleaseMechanism = .laplace, charging budget: ReleaseBudget,
                                noise: ReleaseNoise = .secure) throws -> DPRelease {
        try validateRelease(epsilon: epsilon, mechanism: mechanism)
        let (p, pl) = try classColumn(prediction), (y, yl) = try classColumn(label)
        guard pl.count == yl.count else {
            throw DataFrameError.invalidArgument("'\(prediction)' has \(pl.count) classes but '\(label)' has \(yl.count)")
        }
        let query = "accuracy(\(prediction) vs \(label))"
        return try charged(budget, query: query, epsilon: epsilon, mechanism: mechanism) {
            var sampler = NoiseSampler(noise)
            var correct = 0
            for i in 0..<rowCount where p[i] == y[i] { correct += 1 }
            return Self.boundedMean(query: query, centeredSum: Double(correct) - 0.5 * Double(rowCount),
                                    count: rowCount, bounds: 0...1, epsilon: epsilon, mechanism: mechanism,
                                    sampler: &sampler)
        }
    }

    /// Confusion matrix (rows: true class, columns: predicted class), one noisy count per cell
    /// (L1 = L2 sensitivity 1). Labels read `true=a,predicted=b`, row-major.
    public func releaseConfusionMatrix(prediction: String, label: String, epsilon: Double,
                                       mechanism: ReleaseMechanism = .laplace, charging budget: ReleaseBudget,
                                       noise: ReleaseNoise = .secure) throws -> DPRelease {
        try validateRelease(epsilon: epsilon, mechanism: mechanism)
        let (p, pl) = try classColumn(prediction), (y, yl) = try classColumn(label)
        let k = yl.count, m = pl.count
        let labels = yl.flatMap { t in pl.map { "true=\(t),predicted=\($0)" } }
        let query = "confusion_matrix(\(prediction) vs \(label))"
        return try charged(budget, query: query, epsilon: epsilon, mechanism: mechanism) {
            var counts = [Double](repeating: 0, count: k * m)
            for i in 0..<rowCount { counts[Int(y[i]) * m + Int(p[i])] += 1 }
            return Self.noisyCells(query: query, labels: labels, counts: counts, epsilon: epsilon,
                                   mechanism: mechanism, noise: noise)
        }
    }

    /// Mean squared error of a numeric prediction column against a numeric label column. The
    /// prediction is clamped to the label's declared bounds [lo, hi], so each squared error lies
    /// in [0, (hi − lo)²]; released as a bounded mean (ε/2 + ε/2).
    public func releaseMeanSquaredError(prediction: String, label: String, epsilon: Double,
                                        mechanism: ReleaseMechanism = .laplace, charging budget: ReleaseBudget,
                                        noise: ReleaseNoise = .secure) throws -> DPRelease {
        try releaseMeanError(prediction: prediction, label: label, name: "mse", epsilon: epsilon, mechanism: mechanism,
                             charging: budget, noise: noise, bound: { $0 * $0 }, error: { $0 * $0 })
    }

    /// Mean absolute error of a numeric prediction column against a numeric label column. The
    /// prediction is clamped to the label's declared bounds [lo, hi], so each absolute error lies
    /// in [0, hi − lo]; released as a bounded mean (ε/2 + ε/2), like `releaseMeanSquaredError`.
    public func releaseMeanAbsoluteError(prediction: String, label: String, epsilon: Double,
                                         mechanism: ReleaseMechanism = .laplace, charging budget: ReleaseBudget,
                                         noise: ReleaseNoise = .secure) throws -> DPRelease {
        try releaseMeanError(prediction: prediction, label: label, name: "mae", epsilon: epsilon, mechanism: mechanism,
                             charging: budget, noise: noise, bound: { $0 }, error: { Swift.abs($0) })
    }

    /// Bounded mean of `error(clamp(prediction) − label)` over rows. `bound(hi − lo)` is the
    /// largest value `error` can take once the prediction is clamped to the label's declared
    /// bounds; each row's error is also capped there, so the sensitivity holds exactly.
    private func releaseMeanError(prediction: String, label: String, name: String, epsilon: Double,
                                  mechanism: ReleaseMechanism, charging budget: ReleaseBudget, noise: ReleaseNoise,
                                  bound: (Double) -> Double, error: (Double) -> Double) throws -> DPRelease {
        try validateRelease(epsilon: epsilon, mechanism: mechanism)
        let (p, _) = try numericColumn(prediction), (y, yb) = try numericColumn(label)
        let lo = Float(yb.lowerBound), hi = Float(yb.upperBound)
        let top = bound(yb.upperBound - yb.lowerBound)
        let query = "\(name)(\(prediction) vs \(label))"
        return try charged(budget, query: query, epsilon: epsilon, mechanism: mechanism) {
            var sampler = NoiseSampler(noise)
            var s = 0.0
            for i in 0..<rowCount {
                s += min(error(Double(min(max(p[i], lo), hi) - y[i])), top)
            }
            return Self.boundedMean(query: query, centeredSum: s - top / 2 * Double(rowCount), count: rowCount,
                                    bounds: 0...top, epsilon: epsilon, mechanism: mechanism, sampler: &sampler)
        }
    }

    // MARK: helpers

    func validateRelease(epsilon: Double, mechanism: ReleaseMechanism) throws {
        guard epsilon.isFinite, epsilon > 0 else { throw DataFrameError.invalidBudget("ε of a release must be a positive number") }
        if case let .gaussian(d) = mechanism, !(d > 0 && d < 1) {
            throw DataFrameError.invalidBudget("δ of a Gaussian release must be in (0, 1)")
        }
    }

    /// Charges (ε, δ) (ledger reservation or allotment), computes, commits. A failure after the
    /// charge leaves it charged.
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
        guard case let .numeric(v) = c.storage, let b = c.spec.kind.bounds else {
            throw DataFrameError.wrongColumnType(column: name, expected: "number, integer or boolean", actual: c.spec.kind.typeName)
        }
        return (v, b)
    }

    func classColumn(_ name: String) throws -> ([Int32], [String]) {
        let c = try column(named: name)
        switch (c.storage, c.spec.kind) {
        case let (.categorical(v), .category(values)): return (v, values)
        case let (.numeric(v), .boolean): return (v.map { $0 == 0 ? 0 : 1 }, ["false", "true"])
        default:
            throw DataFrameError.wrongColumnType(column: name, expected: "category or boolean", actual: c.spec.kind.typeName)
        }
    }

    static func sum(_ v: [Float]) -> Double {
        // Double accumulation in blocks of SIMD8 Float partial sums (exact enough for counts of
        // bounded values; the noise dwarfs rounding).
        var total = 0.0
        v.withUnsafeBufferPointer { p in
            var i = 0
            while i + 8 <= p.count {
                var acc = SIMD8<Double>()
                let end = min(p.count, i + 4096) & ~7
                while i < end {
                    let x = SIMD8<Float>(p[i], p[i + 1], p[i + 2], p[i + 3], p[i + 4], p[i + 5], p[i + 6], p[i + 7])
                    acc += SIMD8<Double>(x)
                    i &+= 8
                }
                total += acc.sum()
            }
            while i < p.count { total += Double(p[i]); i &+= 1 }
        }
        return total
    }

    func draw(_ mechanism: ReleaseMechanism, _ parameter: Double, _ sampler: inout NoiseSampler) -> Double {
        Self.draw(mechanism, parameter, &sampler)
    }

    static func draw(_ mechanism: ReleaseMechanism, _ parameter: Double, _ sampler: inout NoiseSampler) -> Double {
        switch mechanism {
        case .laplace: return sampler.laplace(scale: parameter)
        case .gaussian: return sampler.gaussian(std: parameter)
        }
    }

    /// Integer counts with sensitivity 1 (one row changes one cell by one). Laplace: the
    /// **discrete** Laplace mechanism (two-sided geometric, P(k) ∝ e^(−ε|k|)), ε-DP for integer
    /// queries and free of the floating-point artefacts of continuous Laplace samplers.
    /// Gaussian: the analytic Gaussian mechanism.
    static func noisyCells(query: String, labels: [String], counts: [Double], epsilon: Double,
                           mechanism: ReleaseMechanism, noise: ReleaseNoise) -> DPRelease {
        var sampler = NoiseSampler(noise)
        let values: [Double], std: Double, h: Double, name: String
        switch mechanism {
        case .laplace:
            let q = Foundation.exp(-epsilon)
            values = counts.map { $0 + sampler.discreteLaplace(epsilon: epsilon) }
            std = DiscreteLaplace.standardDeviation(epsilon: epsilon)
            h = Double(DiscreteLaplace.halfWidth95(q: q))
            name = "discrete laplace"
        case .gaussian:
            let (param, s) = mechanism.calibrate(epsilon: epsilon, l1: 1, l2: 1)
            values = counts.map { $0 + draw(mechanism, param, &sampler) }
            std = s
            h = mechanism.halfWidth95(parameter: param)
            name = mechanism.name
        }
        return DPRelease(query: query, labels: labels, values: values, noiseStd: Array(repeating: std, count: values.count),
                         confidenceIntervals95: values.map { .init(lower: $0 - h, upper: $0 + h) },
                         mechanism: "\(name), sensitivity 1 (one cell per row)", epsilon: epsilon,
                         delta: mechanism.delta, isPrivate: sampler.isPrivate, note: nil)
    }

    /// Bounded mean from a centred sum Σ(x − c) (sensitivity (hi − lo)/2) and a count
    /// (sensitivity 1), each with half of ε and δ.
    static func boundedMean(query: String, centeredSum: Double, count: Int, bounds: ClosedRange<Double>,
                            epsilon: Double, mechanism: ReleaseMechanism, sampler: inout NoiseSampler) -> DPRelease {
        let half = mechanism.halved
        let width = (bounds.upperBound - bounds.lowerBound) / 2
        let center = (bounds.lowerBound + bounds.upperBound) / 2
        let (ps, ss) = half.calibrate(epsilon: epsilon / 2, l1: width, l2: width)
        let (pn, sn) = half.calibrate(epsilon: epsilon / 2, l1: 1, l2: 1)
        let s = centeredSum + draw(half, ps, &sampler)
        let n = max(Double(count) + draw(half, pn, &sampler), 1)
        let mean = min(max(center + s / n, bounds.lowerBound), bounds.upperBound)
        // Delta method on s/n with the noisy values (post-processing only).
        let std = ((ss / n) * (ss / n) + (s * sn / (n * n)) * (s * sn / (n * n))).squareRoot()
        let h = 1.959963984540054 * std
        return DPRelease(query: query, labels: [query], values: [mean], noiseStd: [std],
                         confidenceIntervals95: [.init(lower: max(mean - h, bounds.lowerBound), upper: min(mean + h, bounds.upperBound))],
                         mechanism: "\(mechanism.name), sum sensitivity \(width) (centred), count sensitivity 1",
                         epsilon: epsilon, delta: mechanism.delta, isPrivate: sampler.isPrivate,
                         note: "noisy centred sum (ε/2) over noisy count (ε/2), clamped to [\(bounds.lowerBound), \(bounds.upperBound)]; std and CI by the delta method (approximate)")
    }
}
