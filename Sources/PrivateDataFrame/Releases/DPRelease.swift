import PrivacyAccounting

/// The result of a DP release: noisy values with everything needed to report them honestly.
public struct DPRelease: Sendable, Equatable, Codable, CustomStringConvertible {
    /// A 95% confidence interval for the true value, from the noise distribution only
    /// (it ignores sampling variation of the data).
    public struct Interval: Sendable, Equatable, Codable {
        public let lower: Double
        public let upper: Double
    }

    /// What was released, e.g. `mean(age)`, `histogram(color)`.
    public let query: String
    /// One label per value: `count`, a category value, `true=a,predicted=b`…
    public let labels: [String]
    /// The noisy values. Counts, sums and histograms: an exact integer number of grid units times the
    /// granularity. Ratios (mean, accuracy, MSE, MAE): post-processing of two such releases, clamped to their range.
    public let values: [Double]
    /// Standard deviation of the noise in each value: exact, of the discrete noise distribution, for counts,
    /// sums and histograms; for ratios a delta-method approximation from the noisy parts.
    public let noiseStd: [Double]
    /// 95% intervals, one per value: from the discrete noise distribution (the smallest symmetric interval with
    /// at least 95% noise mass) for counts, sums and histograms; delta method for ratios.
    public let confidenceIntervals95: [Interval]
    /// Mechanism (`discrete laplace`, `discrete gaussian`), with the grid, sensitivities and noise parameters used.
    public let mechanism: String
    /// The public grid (a power of two) the statistic and its noise live on; for ratios, the numerator's grid.
    public let granularity: Double
    /// The neighbouring relation the sensitivities assume.
    public let relation: NeighbouringRelation
    /// ε charged to the ledger for this release.
    public let epsilon: Double
    /// δ charged to the ledger for this release.
    public let delta: Double
    /// False when the noise came from a seeded (test) generator.
    public let isPrivate: Bool
    /// How the value was computed, when it combines several noisy statistics.
    public let note: String?

    /// The first (or only) value.
    public var value: Double { values[0] }

    public var description: String {
        var lines: [String] = []
        let header = "\(query): \(mechanism), granularity \(granularity), \(relation.name), ε=\(epsilon), δ=\(delta)\(isPrivate ? "" : " — SEEDED NOISE, NOT PRIVATE")"
        lines.append(header)
        for k in values.indices {
            let ci = confidenceIntervals95[k]
            lines.append("  \(labels[k]) = \(values[k])  (noise std \(noiseStd[k]); 95% CI [\(ci.lower), \(ci.upper)])")
        }
        if let note { lines.append("  note: \(note)") }
        return lines.joined(separator: "\n")
    }
}
