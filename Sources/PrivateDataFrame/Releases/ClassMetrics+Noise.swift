extension ClassMetrics {
    /// Standard deviations of each class's precision, recall and F1 under the confusion matrix's noise: a parametric
    /// bootstrap from the released cells (Gaussian noise of the release's per-cell standard deviation, `draws` draws,
    /// fixed public seed) — post-processing of the release only. nil where fewer than two draws define the value.
    public static func noiseStd(of matrix: DPRelease, draws: Int = 200) -> [(precision: Double?, recall: Double?, f1: Double?)] {
        guard let base = try? ClassMetrics(confusionMatrix: matrix) else { return [] }
        let k = base.classes.count
        let std = matrix.noiseStd.first ?? 0
        var samples = [[[Double]]](repeating: [[], [], []], count: k)
        var generator = ScoreHistogramAUC.SplitMix(seed: 0xc1a5_5e5)
        for _ in 0..<max(draws, 0) {
            let values = matrix.values.map { $0 + std * generator.gaussian() }
            let jittered = DPRelease(query: matrix.query, labels: matrix.labels, values: values, noiseStd: matrix.noiseStd,
                                     confidenceIntervals95: matrix.confidenceIntervals95, mechanism: matrix.mechanism,
                                     granularity: matrix.granularity, relation: matrix.relation, epsilon: matrix.epsilon,
                                     delta: matrix.delta, isPrivate: matrix.isPrivate, note: matrix.note)
            guard let m = try? ClassMetrics(confusionMatrix: jittered) else { continue }
            for (c, v) in m.classes.enumerated() {
                if let p = v.precision { samples[c][0].append(p) }
                if let r = v.recall { samples[c][1].append(r) }
                if let f = v.f1 { samples[c][2].append(f) }
            }
        }
        func sd(_ x: [Double]) -> Double? {
            guard x.count > 1 else { return nil }
            let mean = x.reduce(0, +) / Double(x.count)
            return (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1)).squareRoot()
        }
        return samples.map { (precision: sd($0[0]), recall: sd($0[1]), f1: sd($0[2])) }
    }
}

extension DPRelease {
    /// Exact values wrapped as a release with no noise (for the labelled not-private mode only): isPrivate false.
    public static func exact(query: String, labels: [String], values: [Double]) -> DPRelease {
        DPRelease(query: query, labels: labels, values: values, noiseStd: values.map { _ in 0 },
                  confidenceIntervals95: values.map { .init(lower: $0, upper: $0) }, mechanism: "exact (NOT PRIVATE)",
                  granularity: 1, relation: .addRemove, epsilon: 0, delta: 0, isPrivate: false, note: nil)
    }
}
