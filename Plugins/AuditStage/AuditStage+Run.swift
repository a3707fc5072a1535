import DPPipeline
import Foundation
import PrivacyAudit
import PrivateDataFrame
import PrivateLearning

extension AuditStage {
    public func run(_ context: inout RunContext) throws {
        guard let trained = context[Artifacts.model], let parts = context[Artifacts.split] else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no trained model or split")
        }
        guard let train = context.plan.stages.first(where: { $0.kind == "train" })?.cost else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no train stage in the plan")
        }
        let delta = train.training?.delta ?? train.delta
        let binary = isBinaryTarget(context)
        let outcome: AuditOutcome
        do {
            let members = try Self.scores(of: trained, on: parts.training, binary: binary)
            let nonMembers = try Self.scores(of: trained, on: parts.test, binary: binary)
            let attack = try LossThresholdAttack.run(memberConfidences: members, nonMemberConfidences: nonMembers)
            let threshold = try EmpiricalEpsilon.lowerBound(roc: attack.roc, delta: delta, confidence: confidence)
            let oneRun = try OneRunEpsilon.lowerBound(memberScores: members, nonMemberScores: nonMembers, delta: delta,
                                                      confidence: confidence)
            outcome = AuditOutcome(thresholdEpsilon: threshold.epsilon, oneRunEpsilon: oneRun.epsilon, auc: attack.auc,
                                   accountantEpsilon: train.epsilon, accountantDelta: delta, confidence: confidence)
            // Counts and values of private rows: the operator's stderr only.
            context.logForOperator("audit (operator only, not DP): \(members.count) members, \(nonMembers.count) non-members, "
                + "AUC \(Self.f(attack.auc)), empirical ε ≥ \(Self.f(threshold.epsilon)) (threshold attack), "
                + "ε ≥ \(Self.f(oneRun.epsilon)) (one-run), at \(Self.f(confidence)) confidence and δ = \(Self.f(delta)); "
                + "accountant ε = \(Self.f(train.epsilon))")
        } catch let error as PipelineError {
            throw error
        } catch {
            // The audit needs both parts non-empty; say so without any value.
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "the audit could not run: \(error)")
        }
        context[Self.result] = outcome
        switch destination {
        case .operator:
            context.logForAuthor("audit: membership-inference audit ran; its results are not DP and went to the operator "
                                 + "(stderr) only")
        case .notPrivate:
            context.notPrivateReasons.append("audit stage with report: not_private: the empirical ε lower bounds are "
                                             + "computed from the private training and test rows")
            let detail = "membership inference at \(Self.f(confidence)) confidence, δ = \(Self.f(delta)); "
                + "accountant ε = \(Self.f(train.epsilon)) (not DP: computed from private rows)"
            context.stageResults.append(.init(stage: Self.kind, name: "empirical_epsilon_lower_bound",
                                              value: outcome.thresholdEpsilon, detail: "threshold attack; " + detail, private: false))
            context.stageResults.append(.init(stage: Self.kind, name: "one_run_epsilon_lower_bound",
                                              value: outcome.oneRunEpsilon, detail: "one-run audit; " + detail, private: false))
            context.logForAuthor("audit: empirical ε ≥ \(Self.f(outcome.thresholdEpsilon)) (threshold), "
                                 + "≥ \(Self.f(outcome.oneRunEpsilon)) (one-run) vs accountant ε = \(Self.f(train.epsilon)) "
                                 + "(NOT PRIVATE)")
        }
    }

    /// Whether the training loss declares binary targets (one output read as P(label = 1)); from the loss's
    /// declaration, never its name.
    func isBinaryTarget(_ context: RunContext) -> Bool {
        guard let train = context.pipeline.spec.stages.compactMap({ $0 as? TrainStage }).first else { return false }
        return context.pipeline.environment.plugins.declaration(of: .loss, train.loss.name)?.targetEncoding == .binary
    }

    /// The model's confidence in each row's label (higher: more likely a member): P(label) for binary targets, the
    /// label's log-softmax for class outputs, −|ŷ − y| for a real target.
    static func scores(of trained: TrainedModel, on frame: PrivateDataFrame, binary: Bool) throws -> [Double] {
        let outputs = try frame.predictions(of: trained.model, encoding: trained.encoding)
        let labelOptions = EncodingOptions(numericRange: trained.encoding.numericRange,
                                           categories: trained.encoding.categories, label: .classIndex)
        let labels = try frame.encodedLabels(labelOptions)
        let width = outputs.columns
        var scores: [Double] = []
        scores.reserveCapacity(outputs.rows)
        for row in 0..<min(outputs.rows, labels.rows) {
            let y = Double(labels.values[row * labels.columns])
            if width == 1 {
                let p = Double(outputs[row, 0])
                scores.append(binary ? (y >= 0.5 ? p : 1 - p) : -abs(p - y))
            } else {
                let values = (0..<width).map { Double(outputs[row, $0]) }
                let m = values.max() ?? 0
                let logSum = m + log(values.reduce(0) { $0 + exp($1 - m) })
                let k = min(max(Int(y), 0), width - 1)
                scores.append(values[k] - logSum)
            }
        }
        return scores.map { $0.isFinite ? $0 : -Double.greatestFiniteMagnitude }
    }

    static func f(_ x: Double) -> String { PrivacyFormat.string(x) }
}
