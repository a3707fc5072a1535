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
    /// The noisy values (post-processed: clamped to their possible range where stated).
    public let values: [Double]
    /// Standard deviation of the noise in each value. Exact for counts, sums and histograms;
    /// for ratios (mean, accuracy, MSE) a delta-method approximation from the noisy parts.
    public let noiseStd: [Double]
    /// 95% intervals, one per value.
    public let confidenceIntervals95: [Interval]
    /// Mechanism name (`laplace`, `gaussian (analytic)`), with the sensitivity used.
    public let mechanism: String
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
        let header = "\(query): \(mechanism), ε=\(epsilon), δ=\(delta)\(isPrivate ? "" : " — SEEDED NOISE, NOT PRIVATE")"
        lines.append(header)
        for k in values.indices {
            let ci = confidenceIntervals95[k]
            lines.append("  \(labels[k]) = \(values[k])  (noise std \(noiseStd[k]); 95% CI [\(ci.lower), \(ci.upper)])")
        }
        if let note { lines.append("  note: \(note)") }
        return lines.joined(separator: "\n")
    }
}
