import PrivateLearning

/// Predictions and targets of a regression loss must match element for element, row for row.
func checkRegressionShapes(_ p: Tensor, _ t: Tensor, _ name: String) {
    precondition(p.count == t.count && p.rows == t.rows,
                 "\(name): predictions of shape \(p.shape) and targets of shape \(t.shape) do not match")
}
