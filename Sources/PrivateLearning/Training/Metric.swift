/// Evaluation metrics, named as in Keras.
public enum Metric: String, Sendable, CaseIterable, Codable {
    /// Fraction of correct predictions: thresholded at 0.5 for one output column (binary
    /// accuracy), argmax against the target's argmax (or integer class) for several.
    case accuracy
    /// Fraction of outputs on the right side of 0.5.
    case binaryAccuracy = "binary_accuracy"
    /// Mean of (ŷ − y)².
    case meanSquaredError = "mse"
    /// Mean of |ŷ − y|.
    case meanAbsoluteError = "mae"

    /// Keras names and aliases (`mean_squared_error`, `acc` …).
    public init?(name: String) {
        switch name {
        case "acc": self = .accuracy
        case "mean_squared_error": self = .meanSquaredError
        case "mean_absolute_error": self = .meanAbsoluteError
        default: self.init(rawValue: name)
        }
    }

    /// The metric over a batch of predictions and targets (row `i` = example `i`).
    public func value(predictions p: Tensor, targets t: Tensor) -> Double {
        let n = p.rows
        if n == 0 { return .nan }
        switch self {
        case .binaryAccuracy:
            var hits = 0
            for i in 0..<p.count where (p.storage[i] > 0.5) == (t.storage[i] > 0.5) { hits += 1 }
            return Double(hits) / Double(p.count)
        case .accuracy:
            let k = p.columns
            if k == 1 { return Metric.binaryAccuracy.value(predictions: p, targets: t) }
            var hits = 0
            for r in 0..<n {
                var best = 0
                for j in 1..<k where p.storage[r * k + j] > p.storage[r * k + best] { best = j }
                let target: Int
                if t.columns == 1 {
                    target = Int(exactly: t.storage[r]) ?? -1   // a non-integer label never matches (no trap on NaN/∞)
                } else {
                    var tb = 0
                    for j in 1..<k where t.storage[r * k + j] > t.storage[r * k + tb] { tb = j }
                    target = tb
                }
                if best == target { hits += 1 }
            }
            return Double(hits) / Double(n)
        case .meanSquaredError:
            var s = 0.0
            for i in 0..<p.count { let d = Double(p.storage[i] - t.storage[i]); s += d * d }
            return s / Double(p.count)
        case .meanAbsoluteError:
            var s = 0.0
            for i in 0..<p.count { s += Double(abs(p.storage[i] - t.storage[i])) }
            return s / Double(p.count)
        }
    }
}
