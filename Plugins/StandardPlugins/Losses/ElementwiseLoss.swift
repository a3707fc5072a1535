import PrivateLearning

/// Predictions and targets of an elementwise loss must match element for element, row for row.
func checkShapes(_ p: Tensor, _ t: Tensor, _ name: String) {
    precondition(p.count == t.count && p.rows == t.rows,
                 "\(name): predictions of shape \(p.shape) and targets of shape \(t.shape) do not match")
}

/// Per-example loss of an elementwise loss: for each row, the mean over its outputs of
/// `elementLoss(ŷ − y)` (Keras semantics for MSE, MAE and Huber).
@inline(__always)
func perExampleMeanOfElementLoss(_ predictions: Tensor, _ targets: Tensor, _ name: String,
                                 _ elementLoss: (Float) -> Float) -> [Float] {
    checkShapes(predictions, targets, name)
    let b = predictions.rows, k = predictions.columns
    var out = [Float](repeating: 0, count: b)
    for r in 0..<b {
        var s: Float = 0
        for j in 0..<k { s += elementLoss(predictions.storage[r &* k &+ j] - targets.storage[r &* k &+ j]) }
        out[r] = s / Float(k)
    }
    return out
}

/// Per-example output gradient of such a loss: `elementGradient(ŷ − y) / outputs` per element.
@inline(__always)
func perExampleGradientOfElementLoss(_ predictions: Tensor, _ targets: Tensor, _ name: String,
                                     _ elementGradient: (Float) -> Float) -> Tensor {
    checkShapes(predictions, targets, name)
    var g = predictions
    let scale = 1 / Float(max(predictions.columns, 1))
    for i in 0..<g.count { g.storage[i] = elementGradient(predictions.storage[i] - targets.storage[i]) * scale }
    return g
}
