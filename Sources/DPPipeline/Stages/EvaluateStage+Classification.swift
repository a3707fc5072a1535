import Foundation
import PrivateDataFrame
import PrivateLearning

/// `evaluate: {metrics: [accuracy, f1, auc]}` on a classification label:
/// - `f1`: precision, recall and F1 per class (and macro F1) as post-processing of a DP confusion matrix (one share of
///   the stage's ε); the cells are reported with their noise, the ratios with a bootstrap noise estimate;
/// - `auc`: ROC AUC (two-class labels) as post-processing of DP per-class histograms of the model's positive-class
///   score over `auc_bins` equal bins of [0, 1] (one share of ε; `ScoreHistogramAUC`).
/// In `mode: exact` both are exact (NOT PRIVATE): the exact confusion matrix and the exact Mann–Whitney AUC.
extension EvaluateStage {
    /// Metrics computed here rather than by the stage's own switch.
    static let classificationMetrics: Set<String> = ["f1", "auc"]
    /// Bins per class of the score histograms when `auc_bins` is not given.
    public static let defaultAUCBins = 20

    /// Whether `metric` can be computed for a label of this declared kind (checked before any reservation).
    static func metricFits(_ metric: String, _ kind: SchemaSpec.Column.Kind) -> Bool {
        switch (metric, kind) {
        case ("accuracy", .category), ("accuracy", .boolean), ("f1", .category), ("f1", .boolean), ("auc", .category), ("auc", .boolean): true
        case ("accuracy", _), ("f1", _), ("auc", _): false
        case (_, .category), (_, .text): false
        default: true
        }
    }

    /// `auc` needs two classes.
    func resolveClassification(_ context: inout ResolutionContext, label: String, column: SchemaSpec.Column) {
        if metrics.contains("auc"), column.kind == .category, column.values.count != 2 {
            context.diagnostics.error(metricsPosition ?? position,
                                      "metric 'auc' needs a two-class label; '\(label)' declares \(column.values.count) values")
        }
    }

    /// Plan text for the classification metrics.
    var classificationDetail: String {
        var parts: [String] = []
        if metrics.contains("f1") { parts.append("f1: per-class precision/recall/F1 from a DP confusion matrix") }
        if metrics.contains("auc") { parts.append("auc: from DP score histograms, \(aucBins) bins per class") }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: "; ") + ")"
    }

    /// Releases one classification metric on the scored test part (private mode).
    func releaseClassification(_ metric: String, scored: PrivateDataFrame, prediction: String, label: String,
                               epsilon: Double, budget: ReleaseBudget, noise: ReleaseNoise, context: inout RunContext) throws {
        let relation = context.plan.neighbouring
        switch metric {
        case "f1":
            let matrix = try scored.releaseConfusionMatrix(prediction: prediction, label: label, epsilon: epsilon, mechanism: releaseMechanism,
                                                           granularity: granularity, relation: relation, charging: budget, noise: noise)
            for k in matrix.values.indices { context.metrics["confusion_matrix[\(matrix.labels[k])]"] = .init(release: matrix, index: k) }
            let metrics = try ClassMetrics(confusionMatrix: matrix)
            let noiseStds = ClassMetrics.noiseStd(of: matrix)
            let how = "post-processing of the DP confusion matrix (\(matrix.mechanism)); noise_scale: bootstrap std from the released cells"
            for (c, v) in metrics.classes.enumerated() {
                let sd: (precision: Double?, recall: Double?, f1: Double?) = c < noiseStds.count ? noiseStds[c] : (nil, nil, nil)
                for (name, value, std) in [("precision", v.precision, sd.precision), ("recall", v.recall, sd.recall), ("f1", v.f1, sd.f1)] {
                    guard let value else { continue }
                    context.metrics["\(name)[\(v.label)]"] = .init(value: value, private: matrix.isPrivate, noiseScale: std ?? 0,
                                                                   mechanism: how, epsilon: matrix.epsilon)
                }
            }
            if let macro = metrics.macroF1 {
                context.metrics["macro_f1"] = .init(value: macro, private: matrix.isPrivate, noiseScale: 0, mechanism: how, epsilon: matrix.epsilon)
            }
            context.log("f1: per-class precision, recall and F1 from a DP confusion matrix (ε = \(TrainStage.fmt(epsilon)))")
        default:
            guard let model = context.model else { return }
            let release = try scored.releaseScoreHistograms(model: model, encoding: context.encoding, label: label, bins: aucBins,
                                                            epsilon: epsilon, mechanism: releaseMechanism, granularity: granularity,
                                                            relation: relation, charging: budget, noise: noise)
            let roc = try ScoreHistogramAUC(release: release)
            if let auc = roc.auc {
                context.metrics["auc"] = .init(value: auc, private: release.isPrivate, noiseScale: roc.noiseStd,
                                               mechanism: "ROC AUC from DP per-class score histograms (\(aucBins) bins per class; "
                                                   + "\(release.mechanism)); noise_scale: bootstrap std from the released cells",
                                               epsilon: release.epsilon,
                                               confidenceInterval: [max(0, auc - 1.96 * roc.noiseStd), min(1, auc + 1.96 * roc.noiseStd)])
                context.log("auc: released from DP score histograms (ε = \(TrainStage.fmt(epsilon)))")
            } else {
                context.log("auc: undefined (a class's noisy histogram total is 0)")
            }
        }
    }

    /// Exact classification metrics (mode: exact — NOT PRIVATE).
    func exactClassification(_ metric: String, predictions: Tensor, labels: Tensor, labelName: String, context: inout RunContext) {
        let n = labels.shape[0]
        let width = predictions.shape.count > 1 ? predictions.shape[1...].reduce(1, *) : 1
        let p = predictions.storage, y = labels.storage
        func score(_ i: Int) -> Double { Double(width == 1 ? p[i] : p[i * width + width - 1]) }
        func predicted(_ i: Int) -> Int {
            if width == 1 { return Double(p[i]) >= context.decisionThreshold ? 1 : 0 }
            var best = 0
            for k in 1..<width where p[i * width + k] > p[i * width + best] { best = k }
            return best
        }
        let classes = context.pipeline.facts.schema?.column(named: labelName).map { $0.kind == .boolean ? ["false", "true"] : $0.values } ?? []
        let k = max(classes.count, width == 1 ? 2 : width)
        let exact = "exact (NOT PRIVATE)"
        switch metric {
        case "f1":
            var cells = [Double](repeating: 0, count: k * k)
            for i in 0..<n {
                let t = Int(y[i].rounded()), q = predicted(i)
                if (0..<k).contains(t), (0..<k).contains(q) { cells[t * k + q] += 1 }
            }
            let names = (0..<k).map { $0 < classes.count ? classes[$0] : String($0) }
            let cellLabels = names.flatMap { t in names.map { "true=\(t),predicted=\($0)" } }
            let matrix = DPRelease.exact(query: "confusion_matrix", labels: cellLabels, values: cells)
            if let metrics = try? ClassMetrics(confusionMatrix: matrix) {
                for v in metrics.classes {
                    for (name, value) in [("precision", v.precision), ("recall", v.recall), ("f1", v.f1)] {
                        guard let value else { continue }
                        context.metrics["\(name)[\(v.label)]"] = .init(value: value, private: false, noiseScale: 0, mechanism: exact, epsilon: 0)
                    }
                }
                if let macro = metrics.macroF1 {
                    context.metrics["macro_f1"] = .init(value: macro, private: false, noiseScale: 0, mechanism: exact, epsilon: 0)
                }
            }
        default:
            let auc = ScoreHistogramAUC.exactAUC(scores: (0..<n).map(score), positive: (0..<n).map { y[$0] >= 0.5 })
            if let auc { context.metrics["auc"] = .init(value: auc, private: false, noiseScale: 0, mechanism: exact, epsilon: 0) }
        }
        context.log("\(metric): released (exact, NOT PRIVATE)")
    }
}
