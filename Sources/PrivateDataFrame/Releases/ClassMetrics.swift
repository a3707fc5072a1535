/// Precision, recall and F1 per class, computed from a released DP confusion matrix: **post-processing** of that
/// release, so it costs no further privacy budget and is exactly as private as the matrix (same ε, δ).
///
/// Negative noisy cells are clamped to 0 first; a ratio whose noisy denominator is 0 is `nil` (undefined), never a
/// guess. These are estimates: each cell carries the matrix's noise (`DPRelease.noiseStd`), which matters most for
/// rare classes — the ones imbalanced text tasks care about.
public struct ClassMetrics: Sendable, Equatable {
    /// One class's figures.
    public struct PerClass: Sendable, Equatable {
        /// The class value, as declared.
        public let label: String
        /// Noisy TP / noisy predicted-as-this-class, in [0, 1]; nil when the denominator is 0.
        public let precision: Double?
        /// Noisy TP / noisy truly-this-class, in [0, 1]; nil when the denominator is 0.
        public let recall: Double?
        /// 2PR / (P + R); nil when P or R is undefined or both are 0.
        public let f1: Double?
    }

    /// Per class, in the matrix's order.
    public let classes: [PerClass]
    /// Mean F1 over the classes where it is defined; nil when none is.
    public let macroF1: Double?
    /// ε and δ of the confusion matrix these were computed from (nothing more is charged).
    public let epsilon: Double
    public let delta: Double
    /// False when the matrix's noise came from a seeded (test) generator.
    public let isPrivate: Bool

    /// - Parameter matrix: a square confusion matrix release (`releaseConfusionMatrix`), rows true class, columns
    ///   predicted class, labels `true=a,predicted=b`.
    /// - Throws: `DataFrameError.invalidArgument` when the release is not a square confusion matrix.
    public init(confusionMatrix matrix: DPRelease) throws {
        let n = matrix.values.count
        var k = 0
        while (k + 1) * (k + 1) <= n { k += 1 }
        guard k >= 1, k * k == n, matrix.labels.count == n, matrix.labels.allSatisfy({ $0.hasPrefix("true=") }) else {
            throw DataFrameError.invalidArgument("class metrics need a square confusion-matrix release (labels true=a,predicted=b)")
        }
        let cells = matrix.values.map { $0.isFinite ? max($0, 0) : 0 }
        func cell(_ t: Int, _ p: Int) -> Double { cells[t * k + p] }
        var out: [PerClass] = []
        for c in 0..<k {
            let label = matrix.labels[c * k + c]
            let name = label.range(of: ",predicted=", options: .backwards).map { String(label[label.index(label.startIndex, offsetBy: 5)..<$0.lowerBound]) }
                ?? String(label.dropFirst(5))
            let tp = cell(c, c)
            let predicted = (0..<k).reduce(0.0) { $0 + cell($1, c) }
            let actual = (0..<k).reduce(0.0) { $0 + cell(c, $1) }
            let precision: Double? = predicted > 0 ? min(tp / predicted, 1) : nil
            let recall: Double? = actual > 0 ? min(tp / actual, 1) : nil
            var f1: Double?
            if let p = precision, let r = recall, p + r > 0 { f1 = 2 * p * r / (p + r) }
            out.append(PerClass(label: name, precision: precision, recall: recall, f1: f1))
        }
        classes = out
        let defined = out.compactMap(\.f1)
        macroF1 = defined.isEmpty ? nil : defined.reduce(0, +) / Double(defined.count)
        epsilon = matrix.epsilon
        delta = matrix.delta
        isPrivate = matrix.isPrivate
    }
}
