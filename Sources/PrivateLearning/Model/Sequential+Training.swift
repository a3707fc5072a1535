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
                let step = meanGradientStep(features: bx, labels: by, loss: loss)
                total += step.losses.reduce(0.0) { $0 + Double($1) }
                for (m, metric) in metrics.enumerated() {
                    metricSums[m] += metric.value(predictions: step.output, targets: by) * Double(idx.count)
                }
                apply(gradients: step.gradients, optimizer: optimizer)
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

    /// Forward, backward and the mean-loss gradient of one batch, split into `trainingThreadCount`
    /// slices of rows run concurrently (one BLAS thread each, as `GradientPrivatizer` does), then
    /// summed: equal to the one-slice result up to float summation order.
    func meanGradientStep(features bx: Tensor, labels by: Tensor, loss: any Loss)
        -> (output: Tensor, losses: [Float], gradients: [Tensor]) {
        let n = bx.rows
        let slices = max(1, min(trainingThreadCount, n / 16))
        func run(_ sx: Tensor, _ sy: Tensor) -> (output: Tensor, losses: [Float], gradients: [Tensor]) {
            let recorded = forwardRecording(sx)
            var tape = recorded.tape
            let losses = loss.perExampleLoss(predictions: recorded.output, targets: sy)
            backward(loss.perExampleGradient(predictions: recorded.output, targets: sy), tape: &tape, inputGradient: false)
            let w = [Float](repeating: 1 / Float(n), count: sx.rows)
            return (recorded.output, losses, parameterGradients(tape: tape, exampleWeights: w))
        }
        if slices == 1 { return run(bx, by) }
        let blasThreads = LinearAlgebra.threadCount
        if blasThreads > 1 { LinearAlgebra.setThreadCount(1) }
        defer { if blasThreads > 1 { LinearAlgebra.setThreadCount(blasThreads) } }
        let ranges = (0..<slices).map { s in (n * s / slices)..<(n * (s + 1) / slices) }
        let parts = ParallelSlices.map(count: slices) { s in run(bx.slicingRows(ranges[s]), by.slicingRows(ranges[s])) }
        var gradients = parts[0].gradients
        for part in parts.dropFirst() {
            for k in gradients.indices { GradientPrivatizer.add(part.gradients[k], to: &gradients[k]) }
        }
        var outputShape = parts[0].output.shape
        outputShape[0] = n
        let output = Tensor(shape: outputShape, values: parts.flatMap { $0.output.storage })
        return (output, parts.flatMap { $0.losses }, gradients)
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
