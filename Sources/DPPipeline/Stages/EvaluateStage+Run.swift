import Foundation
import PrivateDataFrame
import PrivateLearning

extension RunReport.Metric {
    /// A metric entry for a PrivateDataFrame release (its first value).
    init(release r: DPRelease, index k: Int = 0) {
        let ci = r.confidenceIntervals95[k]
        self.init(value: r.values[k], private: r.isPrivate, noiseScale: r.noiseStd[k], mechanism: r.mechanism,
                  epsilon: r.epsilon, confidenceInterval: [ci.lower, ci.upper], granularity: r.granularity)
    }
}

extension EvaluateStage {
    /// Metrics of the predictions against the test labels.
    ///
    /// Private mode: PrivateDataFrame's releases on the scored test part (`releaseAccuracy`,
    /// `releaseMeanSquaredError`, `releaseMeanAbsoluteError`), each with the stage's ε and δ split evenly across the
    /// metrics, drawn from the run's up-front reservation (`ReleaseBudget.preReserved`). Each is a bounded mean:
    /// a noisy centred sum (ε/2, δ/2) over a noisy count (ε/2, δ/2); errors clamp predictions to the label's declared
    /// bounds [lo, hi], so a squared error lies in [0, (hi−lo)²] and an absolute one in [0, hi−lo]. The noise is
    /// discrete Laplace when δ = 0 and discrete Gaussian when the stage declares δ > 0 (`releaseMechanism`).
    /// Exact mode: the exact values, and the run is marked NOT PRIVATE.
    public func run(_ context: inout RunContext) throws {
        guard let predictions = context.predictions, let labels = context.testLabels,
              let model = context.model, let test = context.testFrame else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no predictions")
        }
        let n = labels.shape[0]
        // Under add_remove the test part's size is private: it is never compared with anything (the releases
        // divide by a noisy count). Under replace_one it is public and must be the planned one.
        guard context.plan.neighbouring == .addRemove || (n == context.plan.testRecords && n > 0) else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "test size differs from the planned one")
        }
        let labelName = test.labelColumn ?? context.pipeline.facts.label ?? ""
        switch mode {
        case .exact:
            runExact(&context, predictions: predictions, labels: labels, labelName: labelName)
        case .private:
            // A prediction column for the releases, under a name the frame does not use yet.
            var column = context.predictionColumns.count == 1 ? context.predictionColumns[0] : "predicted"
            while test.columnNames.contains(column) { column += "_" }
            let epsilonPerMetric = RunContext.releaseEpsilon(epsilon, parts: metrics.count)
            let mechanism = releaseMechanism
            do {
                let scored = try test.predict(model: model, labelColumns: [column], encoding: context.encoding, threshold: Float(context.decisionThreshold))
                let budget = try context.plannedReleaseBudget()
                for (k, metric) in metrics.enumerated() {
                    let noise = context.releaseNoise(offset: 2 &+ (UInt64(k) << 32))
                    if Self.classificationMetrics.contains(metric) {
                        try releaseClassification(metric, scored: scored, prediction: column, label: labelName, epsilon: epsilonPerMetric,
                                                  budget: budget, noise: noise, context: &context)
                        continue
                    }
                    let r: DPRelease
                    switch metric {
                    case "accuracy":
                        r = try scored.releaseAccuracy(prediction: column, label: labelName, epsilon: epsilonPerMetric,
                                                       mechanism: mechanism, granularity: granularity, relation: context.plan.neighbouring, charging: budget, noise: noise)
                    case "mean_squared_error":
                        r = try scored.releaseMeanSquaredError(prediction: column, label: labelName, epsilon: epsilonPerMetric,
                                                               mechanism: mechanism, granularity: granularity, relation: context.plan.neighbouring, charging: budget,
                                                               noise: noise)
                    default:
                        r = try scored.releaseMeanAbsoluteError(prediction: column, label: labelName, epsilon: epsilonPerMetric,
                                                                mechanism: mechanism, granularity: granularity, relation: context.plan.neighbouring, charging: budget,
                                                                noise: noise)
                    }
                    context.metrics[metric] = .init(release: r)
                    context.log("\(metric): released (\(r.mechanism), ε = \(TrainStage.fmt(r.epsilon))"
                                + (r.delta > 0 ? ", δ = \(TrainStage.fmt(r.delta)))" : ")"))
                }
            } catch { throw dataError(error, stage: Self.kind, position: position) }
        }
    }

    /// The mechanism of each metric's releases: discrete Laplace (pure ε) when the stage's δ is 0, otherwise the
    /// discrete Gaussian with δ split evenly across the metrics (as ε is), so the metrics together spend exactly the
    /// planned (ε, δ).
    var releaseMechanism: ReleaseMechanism {
        delta > 0 ? .gaussian(delta: RunContext.releaseDelta(delta, parts: metrics.count)) : .laplace
    }

    /// Exact metrics from the prediction tensor (mode: exact — NOT PRIVATE).
    private func runExact(_ context: inout RunContext, predictions: Tensor, labels: Tensor, labelName: String) {
        let n = labels.shape[0]
        let width = predictions.shape.count > 1 ? predictions.shape[1] : 1
        let p = predictions.storage, y = labels.storage
        let bounds = context.pipeline.facts.schema?.column(named: labelName).flatMap { c -> (Double, Double)? in
            guard let lo = c.min, let hi = c.max else { return nil }
            return (lo, hi)
        }
        for metric in metrics {
            if Self.classificationMetrics.contains(metric) {
                exactClassification(metric, predictions: predictions, labels: labels, labelName: labelName, context: &context)
                continue
            }
            var sum = 0.0
            switch metric {
            case "accuracy":
                for i in 0..<n {
                    let predicted: Int
                    if width == 1 {
                        predicted = Double(p[i]) >= context.decisionThreshold ? 1 : 0
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
            }
            context.metrics[metric] = .init(value: sum / Double(n), private: false, noiseScale: 0,
                                            mechanism: "exact (NOT PRIVATE)", epsilon: 0)
            context.log("\(metric): released (exact, NOT PRIVATE)")
        }
        context.notPrivateReasons.append("evaluate uses mode: exact — metrics are exact values computed from private test data")
    }
}

extension ReleaseStage {
    /// DP count, sum, mean or histogram of a loaded column, by PrivateDataFrame's exact discrete releases on a public
    /// power-of-two grid (`granularity:` or the default from the declared bounds; sensitivities in grid units: count
    /// 1 and histogram 1 per bin; sum max(|lo|, |hi|); mean a noisy centred sum over a noisy count, ε split in half,
    /// clamped to the bounds; all with the discrete Laplace mechanism), with the stage's ε
    /// drawn from the run's up-front reservation (`ReleaseBudget.preReserved`).
    public func run(_ context: inout RunContext) throws {
        guard let frame = context.loadedFrame else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no data loaded")
        }
        let noise = context.releaseNoise(offset: 3 &+ UInt64(context.stageIndex))
        let epsilon = RunContext.releaseEpsilon(self.epsilon, parts: 1)
        do {
            let budget = try context.plannedReleaseBudget()
            let r: DPRelease
            switch statistic {
            case "count": r = try frame.releaseCount(epsilon: epsilon, granularity: granularity, relation: context.plan.neighbouring, charging: budget, noise: noise)
            case "sum": r = try frame.releaseSum(of: column!, epsilon: epsilon, granularity: granularity, relation: context.plan.neighbouring, charging: budget, noise: noise)
            case "mean": r = try frame.releaseMean(of: column!, epsilon: epsilon, granularity: granularity, relation: context.plan.neighbouring, charging: budget, noise: noise)
            case "histogram": r = try frame.releaseHistogram(of: column!, epsilon: epsilon, granularity: granularity, relation: context.plan.neighbouring, charging: budget, noise: noise)
            default:
                throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "unknown statistic")
            }
            if statistic == "histogram" {
                for k in r.values.indices { context.metrics["\(name)[\(r.labels[k])]"] = .init(release: r, index: k) }
            } else {
                context.metrics[name] = .init(release: r)
            }
            context.log("released DP \(statistic)\(column.map { " of '\($0)'" } ?? "") (\(r.mechanism), ε = \(TrainStage.fmt(epsilon)))")
        } catch { throw dataError(error, stage: Self.kind, position: position) }
    }
}
