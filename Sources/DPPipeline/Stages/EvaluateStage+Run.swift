import Foundation
import PrivateDataFrame
import PrivateLearning

extension EvaluateStage {
    /// Metrics of the predictions against the test labels.
    ///
    /// Private mode: each metric's ε is the stage's ε split evenly across metrics. Accuracy releases the count of
    /// correct predictions with Laplace noise of scale 1/ε_m (adding or removing one test record changes it by at
    /// most 1) and divides by the public test size n (a public function of the record count and split seed, like
    /// N in DP-SGD accounting), so its noise scale is 1/(ε_m·n). Squared and absolute errors clamp predictions and
    /// labels to the label's declared bounds [lo, hi], giving per-record sensitivity (hi−lo)² and hi−lo.
    /// Exact mode: the exact values, and the run is marked NOT PRIVATE.
    public func run(_ context: inout RunContext) throws {
        guard let predictions = context.predictions, let labels = context.testLabels else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no predictions")
        }
        let n = labels.shape[0]
        guard n == context.plan.testRecords, n > 0 else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "test size differs from the planned one")
        }
        let width = predictions.shape.count > 1 ? predictions.shape[1] : 1
        let p = predictions.storage, y = labels.storage
        var generator = context.noiseSource(offset: 2)
        let epsilonPerMetric = epsilon / Double(max(1, metrics.count))
        let labelName = context.pipeline.facts.label ?? ""
        let bounds = context.pipeline.facts.schema?.column(named: labelName).flatMap { c -> (Double, Double)? in
            guard let lo = c.min, let hi = c.max else { return nil }
            return (lo, hi)
        }
        for metric in metrics {
            var sum = 0.0
            var sensitivity = 1.0
            switch metric {
            case "accuracy":
                for i in 0..<n {
                    let predicted: Int
                    if width == 1 {
                        predicted = p[i] >= 0.5 ? 1 : 0
                    } else {
                        var best = 0
                        for k in 1..<width where p[i * width + k] > p[i * width + best] { best = k }
                        predicted = best
                    }
                    if predicted == Int(y[i].rounded()) { sum += 1 }
                }
            default:
                // Regression: predictions are in the scaled label space used for training; undo it with the bounds.
                let (lo, hi) = bounds ?? (0, 1)
                let trainedScaled = context.encoding.label == .scaled
                for i in 0..<n {
                    var yhat = Double(p[i * width])
                    if trainedScaled {
                        yhat = context.encoding.numericRange == .symmetric ? lo + (yhat + 1) / 2 * (hi - lo) : lo + yhat * (hi - lo)
                    }
                    let truth = min(max(Double(y[i]), lo), hi)
                    yhat = min(max(yhat, lo), hi)
                    sum += metric == "mean_squared_error" ? (yhat - truth) * (yhat - truth) : Swift.abs(yhat - truth)
                }
                sensitivity = metric == "mean_squared_error" ? (hi - lo) * (hi - lo) : (hi - lo)
            }
            switch mode {
            case .exact:
                context.metrics[metric] = .init(value: sum / Double(n), private: false, noiseScale: 0,
                                                mechanism: "exact (NOT PRIVATE)", epsilon: 0)
            case .private:
                let released = LaplaceMechanism.release(sum, sensitivity: sensitivity, epsilon: epsilonPerMetric, using: &generator)
                var value = released.value / Double(n)
                if metric == "accuracy" { value = min(max(value, 0), 1) } else { value = max(value, 0) }
                context.metrics[metric] = .init(value: value, private: true, noiseScale: released.scale / Double(n),
                                                mechanism: "Laplace on the sum, divided by the public test size",
                                                epsilon: epsilonPerMetric)
            }
            context.log("\(metric): released (\(mode == .exact ? "exact, NOT PRIVATE" : "Laplace, ε = \(TrainStage.fmt(epsilonPerMetric))"))")
        }
        if mode == .exact {
            context.notPrivateReasons.append("evaluate uses mode: exact — metrics are exact values computed from private test data")
        }
    }
}

extension ReleaseStage {
    /// DP count, sum, mean or histogram of a loaded column with the Laplace mechanism, sensitivities from the
    /// declared schema: count 1; sum max(|lo|, |hi|); mean = noisy sum / noisy count with ε split in half,
    /// clamped to the bounds; histogram 1 per bin (one record is in one bin).
    public func run(_ context: inout RunContext) throws {
        guard let frame = context.loadedFrame else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no data loaded")
        }
        var generator = context.noiseSource(offset: 3 &+ UInt64(context.stageIndex))
        let n = Double(frame.rowCountForAccounting)
        do {
            switch statistic {
            case "count":
                let r = LaplaceMechanism.release(n, sensitivity: 1, epsilon: epsilon, using: &generator)
                context.metrics[name] = .init(value: r.value, private: true, noiseScale: r.scale, mechanism: "Laplace count", epsilon: epsilon)
            case "sum", "mean":
                let column = self.column!
                let spec = try frame.spec(of: column)
                guard let bounds = spec.kind.bounds else {
                    throw PipelineError.invalidData(stage: Self.kind, position: columnPosition, reason: "'\(column)' has no numeric bounds")
                }
                let values = try frame.select(features: [column]).encodedFeatures(EncodingOptions(numericRange: .unit))
                var sum = 0.0
                for v in values.values { sum += bounds.lowerBound + Double(v) * (bounds.upperBound - bounds.lowerBound) }
                let sensitivity = max(Swift.abs(bounds.lowerBound), Swift.abs(bounds.upperBound))
                if statistic == "sum" {
                    let r = LaplaceMechanism.release(sum, sensitivity: sensitivity, epsilon: epsilon, using: &generator)
                    context.metrics[name] = .init(value: r.value, private: true, noiseScale: r.scale, mechanism: "Laplace sum", epsilon: epsilon)
                } else {
                    let s = LaplaceMechanism.release(sum, sensitivity: sensitivity, epsilon: epsilon / 2, using: &generator)
                    let c = LaplaceMechanism.release(n, sensitivity: 1, epsilon: epsilon / 2, using: &generator)
                    let mean = min(max(s.value / max(c.value, 1), bounds.lowerBound), bounds.upperBound)
                    context.metrics[name] = .init(value: mean, private: true, noiseScale: s.scale / max(n, 1),
                                                  mechanism: "Laplace sum / Laplace count (noise scale approximate)", epsilon: epsilon)
                }
            case "histogram":
                let column = self.column!
                let encoded = try frame.select(features: [column]).encodedFeatures(EncodingOptions(categories: .oneHot))
                for k in 0..<encoded.columns {
                    var count = 0.0
                    for i in 0..<encoded.rows { count += Double(encoded.values[i * encoded.columns + k]) }
                    let r = LaplaceMechanism.release(count, sensitivity: 1, epsilon: epsilon, using: &generator)
                    context.metrics["\(name)[\(encoded.columnNames[k])]"] = .init(value: max(0, r.value), private: true, noiseScale: r.scale,
                                                                                  mechanism: "Laplace histogram", epsilon: epsilon)
                }
            default:
                throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "unknown statistic")
            }
            context.log("released DP \(statistic)\(column.map { " of '\($0)'" } ?? "") (Laplace, ε = \(TrainStage.fmt(epsilon)))")
        } catch { throw dataError(error, stage: Self.kind, position: position) }
    }
}
