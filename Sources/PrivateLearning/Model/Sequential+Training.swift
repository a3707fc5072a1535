/// Non-private training and evaluation, for comparison with `PrivateModel`.
extension Sequential {
    /// Mini-batch training on shuffled data with mean-reduced loss. **Not private.**
    /// - Parameters:
    ///   - seed: shuffling seed; nil uses the system generator.
    public func fit(_ x: Tensor, _ y: Tensor, epochs: Int, batchSize: Int, seed: UInt64? = nil,
                    progress: ((TrainingProgress) -> Void)? = nil) throws -> TrainingHistory {
        guard let optimizer, let loss else { throw PrivateLearningError.notCompiled }
        guard x.rows == y.rows, x.rows > 0 else {
            throw PrivateLearningError.invalidTrainingData("features have \(x.rows) rows but labels have \(y.rows)")
        }
        guard epochs > 0, batchSize > 0 else {
            throw PrivateLearningError.invalidConfiguration("epochs and batch size must be > 0")
        }
        var generator: any RandomNumberGenerator = seed.map { SeededRandomSource(seed: $0) } ?? SystemRandomNumberGenerator()
        var history = TrainingHistory()
        var order = Array(0..<x.rows)
        for epoch in 1...epochs {
            order.shuffle(using: &generator)
            var total = 0.0
            var metricSums = [Double](repeating: 0, count: metrics.count)
            var start = 0
            while start < order.count {
                let idx = Array(order[start..<min(start + batchSize, order.count)])
                let bx = x.gatheringRows(idx), by = y.gatheringRows(idx)
                let recorded = forwardRecording(bx)
                let out = recorded.output
                var tape = recorded.tape
                let losses = loss.perExampleLoss(predictions: out, targets: by)
                total += losses.reduce(0.0) { $0 + Double($1) }
                for (m, metric) in metrics.enumerated() {
                    metricSums[m] += metric.value(predictions: out, targets: by) * Double(idx.count)
                }
                backward(loss.perExampleGradient(predictions: out, targets: by), tape: &tape)
                let w = [Float](repeating: 1 / Float(idx.count), count: idx.count)
                apply(gradients: parameterGradients(tape: tape, exampleWeights: w), optimizer: optimizer)
                history.steps += 1
                start += batchSize
            }
            history.loss.append(total / Double(x.rows))
            for (m, metric) in metrics.enumerated() {
                history.metrics[metric.rawValue, default: []].append(metricSums[m] / Double(x.rows))
            }
            progress?(TrainingProgress(epoch: epoch, epochs: epochs, steps: history.steps,
                                       loss: history.loss.last!, epsilon: nil))
        }
        return history
    }

    /// Mean loss and the compiled metrics on `(x, y)`, keyed `loss` and each metric's name.
    public func evaluate(_ x: Tensor, _ y: Tensor) throws -> [String: Double] {
        guard let loss else { throw PrivateLearningError.notCompiled }
        guard x.rows == y.rows else {
            throw PrivateLearningError.invalidTrainingData("features have \(x.rows) rows but labels have \(y.rows)")
        }
        let p = predict(x)
        var result: [String: Double] = [:]
        let l = loss.perExampleLoss(predictions: p, targets: y)
        result["loss"] = l.reduce(0.0) { $0 + Double($1) } / Double(max(l.count, 1))
        for m in metrics { result[m.rawValue] = m.value(predictions: p, targets: y) }
        return result
    }
}
