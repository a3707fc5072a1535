import Foundation
import PrivacyAccounting
import PrivateLearning

/// ROC AUC of a two-class model as **post-processing** of a DP release: per true class, a histogram of the model's
/// score for the positive class (the second declared value) over `bins` equal bins of [0, 1]
/// (`PrivateDataFrame.releaseScoreHistograms`).
///
/// One row lands in exactly one cell (its true class, its score's bin), so under add/remove one row moves one cell by
/// 1 (L1 = L2 = 1, as a histogram; k for a privacy unit of k rows) and under replace-one two cells. With noisy cells
/// clamped at 0, N_b negatives and P_b positives in bin b:
/// `AUC = Σ_b N_b · (Σ_{b' > b} P_{b'} + P_b / 2) / (Σ N · Σ P)` — the Mann–Whitney statistic of the binned scores
/// (scores in one bin count as ties). Binning costs at most the probability mass of pairs that share a bin.
public struct ScoreHistogramAUC: Sendable, Equatable {
    /// The AUC of the noisy histograms (nil when a class's noisy total is 0).
    public let auc: Double?
    /// Standard deviation of `auc` under the release's noise: a parametric bootstrap from the released cells (Gaussian
    /// noise of the release's per-cell standard deviation, 200 draws, fixed seed) — a function of the release only.
    public let noiseStd: Double
    /// Noisy counts per bin, clamped at 0: negatives (first declared class) and positives (second).
    public let negative: [Double]
    public let positive: [Double]
    /// ε and δ of the histogram release (nothing more is charged).
    public let epsilon: Double
    public let delta: Double
    public let isPrivate: Bool

    /// - Parameter release: a `releaseScoreHistograms` release (2 × bins cells, class-major).
    /// - Throws: `DataFrameError.invalidArgument` when the release does not have that shape.
    public init(release: DPRelease) throws {
        let n = release.values.count
        guard n >= 2, n % 2 == 0, release.labels.first?.hasPrefix("true=") == true else {
            throw DataFrameError.invalidArgument("AUC needs a score-histogram release (2 classes × bins)")
        }
        let bins = n / 2
        let cells = release.values.map { $0.isFinite ? max($0, 0) : 0 }
        let neg = Array(cells[0..<bins]), pos = Array(cells[bins...])
        let value = Self.auc(negative: neg, positive: pos)
        negative = neg
        positive = pos
        auc = value
        epsilon = release.epsilon
        delta = release.delta
        isPrivate = release.isPrivate
        // Parametric bootstrap (post-processing of the released values with a fixed public seed).
        let std = release.noiseStd.first ?? 0
        var generator = SplitMix(seed: 0x5eed_a0c0)
        var draws: [Double] = []
        if std > 0, value != nil {
            for _ in 0..<200 {
                let n = neg.map { max($0 + std * generator.gaussian(), 0) }
                let p = pos.map { max($0 + std * generator.gaussian(), 0) }
                if let a = Self.auc(negative: n, positive: p) { draws.append(a) }
            }
        }
        if draws.count > 1 {
            let mean = draws.reduce(0, +) / Double(draws.count)
            noiseStd = (draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws.count - 1)).squareRoot()
        } else {
            noiseStd = 0
        }
    }

    /// The Mann–Whitney AUC of two histograms over the same ordered bins (ties within a bin count one half).
    /// - Returns: nil when either total is 0.
    public static func auc(negative: [Double], positive: [Double]) -> Double? {
        let totalN = negative.reduce(0, +), totalP = positive.reduce(0, +)
        guard totalN > 0, totalP > 0, negative.count == positive.count else { return nil }
        var above = totalP, sum = 0.0
        for b in negative.indices {
            above -= positive[b]
            sum += negative[b] * (max(above, 0) + positive[b] / 2)
        }
        return min(max(sum / (totalN * totalP), 0), 1)
    }

    /// The exact AUC of scores against true classes (the Mann–Whitney statistic with ties counted one half): the
    /// not-private reference. O(n log n).
    /// - Returns: nil when a class is absent.
    public static func exactAUC(scores: [Double], positive: [Bool]) -> Double? {
        precondition(scores.count == positive.count, "one class per score")
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSumPositive = 0.0, p = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let midRank = Double(i + j) / 2 + 1
            for k in i...j where positive[order[k]] { rankSumPositive += midRank; p += 1 }
            i = j + 1
        }
        let n = Double(scores.count) - p
        guard p > 0, n > 0 else { return nil }
        return (rankSumPositive - p * (p + 1) / 2) / (p * n)
    }

    /// The bin of a score in [0, 1] among `bins` equal bins (NaN → 0; values outside are clamped).
    public static func bin(_ score: Double, bins: Int) -> Int {
        guard score.isFinite else { return 0 }
        return min(max(Int((score * Double(bins)).rounded(.down)), 0), bins - 1)
    }

    /// A small deterministic generator for the bootstrap (public post-processing only, never a release's noise).
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        mutating func gaussian() -> Double {
            let u1 = (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992
            let u2 = Double(next() >> 11) / 9_007_199_254_740_992
            return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
        }
    }
}

extension PrivateDataFrame {
    /// The model's score for the positive class (the label's second declared value) on every row: a one-output model's
    /// output, or a two-output model's second output, clamped to [0, 1]. Private values: never printed.
    /// - Throws: `DataFrameError.invalidArgument` for a model with more than two outputs; encoding errors.
    package func positiveScores(of model: Sequential, encoding: EncodingOptions) throws -> [Double] {
        let out = try predictions(of: model, encoding: encoding)
        let k = out.shape.count > 1 ? out.shape[1...].reduce(1, *) : 1
        guard k == 1 || k == 2 else {
            throw DataFrameError.invalidArgument("AUC needs a model with one (sigmoid) or two (softmax) outputs, this one has \(k)")
        }
        return (0..<rowCount).map { i in
            let v = Double(out.storage[i * k + (k - 1)])
            return v.isFinite ? min(max(v, 0), 1) : 0
        }
    }

    /// Per true class (a two-class label), a histogram of the model's positive-class score over `bins` equal bins of
    /// [0, 1], one exact discrete noisy count per cell (sensitivities as `releaseConfusionMatrix`: add/remove one cell
    /// by 1, replace-one two cells; × k for a privacy unit of k rows). Labels `true=a,score_bin=b`, class-major.
    /// Post-process with `ScoreHistogramAUC(release:)`.
    /// - Parameters:
    ///   - model: the trained model; `encoding` as used for training.
    ///   - label: a category column with two declared values, or a boolean column.
    ///   - bins: public number of bins in 2…4096.
    /// - Throws: `DataFrameError` for a wrong label, model or budget.
    public func releaseScoreHistograms(model: Sequential, encoding: EncodingOptions, label: String, bins: Int, epsilon: Double,
                                       mechanism: ReleaseMechanism = .laplace, granularity: Double? = nil,
                                       relation: NeighbouringRelation = .addRemove, charging budget: ReleaseBudget,
                                       noise: ReleaseNoise = .secure) throws -> DPRelease {
        try validateRelease(epsilon: epsilon, mechanism: mechanism)
        guard (2...4096).contains(bins) else { throw DataFrameError.invalidArgument("bins must be in 2…4096, got \(bins)") }
        let (y, classes) = try classColumn(label)
        guard classes.count == 2 else {
            throw DataFrameError.invalidArgument("AUC needs a two-class label; '\(label)' declares \(classes.count) values")
        }
        let labels = classes.flatMap { c in (0..<bins).map { "true=\(c),score_bin=\($0)" } }
        let (grid, calibrated) = try Self.countNoise(declared: granularity, epsilon: epsilon, mechanism: mechanism, cells: 2 * bins,
                                                     relation: relation, bound: contributionBound)
        let query = "score_histograms(\(label), \(bins) bins)"
        return try charged(budget, query: query, epsilon: epsilon, mechanism: mechanism) {
            let scores = try positiveScores(of: model, encoding: encoding)
            var counts = [Int64](repeating: 0, count: 2 * bins)
            for i in 0..<rowCount { counts[Int(y[i]) * bins + ScoreHistogramAUC.bin(scores[i], bins: bins)] += 1 }
            return try Self.noisyCells(query: query, labels: labels, counts: counts, grid: grid, noise: calibrated,
                                       epsilon: epsilon, mechanism: mechanism, relation: relation,
                                       sensitivity: Self.cellSensitivity(grid, relation, bound: contributionBound), source: noise)
        }
    }

    /// The exact AUC of the model on this frame (NOT PRIVATE: `evaluate: {mode: exact}` and tests only).
    package func exactAUC(model: Sequential, encoding: EncodingOptions, label: String) throws -> Double? {
        let (y, classes) = try classColumn(label)
        guard classes.count == 2 else {
            throw DataFrameError.invalidArgument("AUC needs a two-class label; '\(label)' declares \(classes.count) values")
        }
        return ScoreHistogramAUC.exactAUC(scores: try positiveScores(of: model, encoding: encoding), positive: y.map { $0 == 1 })
    }
}
