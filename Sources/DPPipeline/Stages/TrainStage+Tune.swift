import Foundation
import PrivacyAccounting
import PrivateDataFrame
import PrivateLearning

/// What the report says about a private hyperparameter search (never the realised number of trials, nor any
/// trial's score: Papernot & Steinke's bound holds only when K and the other trials stay hidden).
public struct SearchSummary: Codable, Sendable {
    /// "truncated negative binomial (η = 1, γ = 0.125; geometric), E[K] = 8".
    public var trialDistribution: String
    public var meanTrials: Double
    /// ε of the whole search (RDP, Papernot & Steinke 2022) at the training δ, as charged.
    public var epsilon: Double
    /// ε of one trial (DP-SGD run + validation score release), the worst case over the search space.
    public var trialEpsilon: Double
    public var validationFraction: Double
    public var scoreNoise: Int
    public var space: String
    /// The best trial's hyperparameters (released with the model).
    public var best: TuneSpec.Trial

    enum CodingKeys: String, CodingKey {
        case trialDistribution = "trial_distribution"
        case meanTrials = "mean_trials"
        case epsilon
        case trialEpsilon = "trial_epsilon"
        case validationFraction = "validation_fraction"
        case scoreNoise = "score_noise"
        case space, best
    }
}

extension TrainStage {
    /// The accounting of a `tune:` search: (σ, one trial's ε, the search's ε, public sizes of the parts).
    struct SearchAccounting {
        var noiseMultiplier: Double
        var trialEpsilon: Double
        var searchEpsilon: Double
        /// Training ε of one DP-SGD run of the stage's own (batch size, epochs), without the score release.
        var singleRunEpsilon: Double
        var fitRecords: Int
        var validationRecords: Int
    }

    /// RDP of one trial at σ: the worst case over the (batch size, epochs) the space allows, plus the score release.
    static func trialCurve(shapes: [(batchSize: Int, epochs: Int)], fitRecords n: Int, sigma: Double, scoreNoise: Int,
                           orders: [Double]) throws -> [Double] {
        var curves: [[Double]] = []
        for s in shapes {
            let run = try DPSGDRun(examples: n, batchSize: s.batchSize, epochs: s.epochs)
            let step = RDPAccountant.subsampledGaussianCurve(samplingRate: run.samplingRate, noiseMultiplier: sigma, orders: orders)
            curves.append(step.map { $0 * Double(run.steps) })
        }
        let s = Double(scoreNoise)
        return zip(RepeatAndSelectRDP.worstCase(of: curves), orders).map { $0 + $1 / (2 * s * s) }
    }

    func searchAccounting(_ tune: TuneSpec, trainingRecords: Int, delta: Double) throws -> SearchAccounting {
        let (fitN, validationN) = PlanningContext.publicSplit(records: trainingRecords, testFraction: tune.validationFraction)
        let shapes = tune.shapes(base: self)
        for s in shapes where s.batchSize > fitN {
            throw PipelineError.invalidPipeline([PipelineDiagnostic(tune.position,
                "tune: batch_size \(s.batchSize) exceeds the \(fitN) public records of the fitting part")])
        }
        let orders = RDPAccountant.defaultOrders
        func searchEpsilon(_ sigma: Double) throws -> (search: Double, trial: Double) {
            let curve = try Self.trialCurve(shapes: shapes, fitRecords: fitN, sigma: sigma, scoreNoise: tune.scoreNoise, orders: orders)
            let trial = try RDPAccountant.epsilon(orders: orders, rdp: curve, delta: delta).epsilon
            let search = try RepeatAndSelectRDP.epsilon(trialCurve: curve, orders: orders, distribution: tune.trials, delta: delta).epsilon
            return (search, trial)
        }
        let sigma: Double
        if let targetEpsilon {
            // Smallest σ (to 1e-4 relative) whose whole search stays within the target; ε decreases in σ.
            var lo = 0.05, hi = 2000.0
            guard try searchEpsilon(hi).search <= targetEpsilon else {
                throw PipelineError.invalidPipeline([PipelineDiagnostic(tune.position,
                    "tune: the search cannot reach ε = \(Self.fmt(targetEpsilon)) even with σ = 2000: the score release and "
                    + "the number of trials alone cost more; raise score_noise, lower the mean number of trials, or raise target_epsilon")])
            }
            if try searchEpsilon(lo).search <= targetEpsilon { hi = lo }
            while hi / lo > 1 + 1e-4 {
                let mid = (lo * hi).squareRoot()
                if try searchEpsilon(mid).search <= targetEpsilon { hi = mid } else { lo = mid }
            }
            sigma = hi
        } else {
            sigma = noiseMultiplier ?? 1
        }
        let (search, trial) = try searchEpsilon(sigma)
        let single = try DPSGDRun(examples: fitN, batchSize: min(batchSize, fitN), epochs: epochs)
            .epsilon(noiseMultiplier: sigma, delta: delta, accountant: .rdp)
        return SearchAccounting(noiseMultiplier: sigma, trialEpsilon: trial, searchEpsilon: search, singleRunEpsilon: single,
                                fitRecords: fitN, validationRecords: validationN)
    }

    /// The cost of a `tune:` train stage: the whole search, reserved before it starts.
    func searchCost(_ context: PlanningContext, _ tune: TuneSpec) throws -> StageCost {
        let delta = context.privacy.trainingDelta
        guard context.relation == .addRemove else {
            throw PipelineError.invalidPipeline([PipelineDiagnostic(tune.position, "tune is accounted under neighbouring: add_remove only")])
        }
        guard context.privacy.accountant == AccountantKind.rdp.rawValue else {
            throw PipelineError.invalidPipeline([PipelineDiagnostic(tune.position,
                "tune is accounted with Rényi DP (Papernot & Steinke 2022): use privacy.accountant: rdp")])
        }
        guard let n = context.trainingRecords else {
            throw PipelineError.invalidPipeline([PipelineDiagnostic(tune.position,
                "tune needs a public number of records: declare privacy.public_size")])
        }
        let a = try accounted { try searchAccounting(tune, trainingRecords: n, delta: delta) }
        let run = try accounted { try DPSGDRun(examples: a.fitRecords, batchSize: min(batchSize, a.fitRecords), epochs: epochs) }
        let plan = TrainingPlan(examples: a.fitRecords, batchSize: run.batchSize, epochs: epochs, samplingRate: run.samplingRate,
                                steps: run.steps, noiseMultiplier: a.noiseMultiplier, calibrated: targetEpsilon != nil,
                                l2NormClip: l2NormClip, delta: delta, accountant: AccountantKind.rdp.rawValue,
                                neighbouring: .addRemove, deferred: false, targetEpsilon: targetEpsilon)
        let detail = "private hyperparameter search (Papernot & Steinke 2022, RDP): K ~ \(tune.trials.summary); "
            + "σ = \(Self.fmt(a.noiseMultiplier))\(targetEpsilon != nil ? " (calibrated to the whole search)" : ""); "
            + "one DP-SGD run ε = \(Self.fmt(a.singleRunEpsilon)), one trial with its validation score ε = \(Self.fmt(a.trialEpsilon)), "
            + "whole search ε = \(Self.fmt(a.searchEpsilon)); fitting part \(a.fitRecords), validation part \(a.validationRecords) "
            + "public records, score noise σ = \(tune.scoreNoise); space: \(tune.spaceSummary.isEmpty ? "none" : tune.spaceSummary)"
        return StageCost(epsilon: a.searchEpsilon, delta: delta, detail: detail, training: plan)
    }

    /// Runs the search: K ~ `tune.trials` full DP-SGD trials on the fitting part, each scored by a noisy count of
    /// correct validation predictions; only the best trial's model and hyperparameters are kept.
    func runSearch(_ context: inout RunContext, _ tune: TuneSpec) throws {
        guard let train = context.trainFrame, let planned = context.plannedCost.training,
              let trainingRecords = context.publicTrainingRecords else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no training data or plan")
        }
        let accounting = try searchAccounting(tune, trainingRecords: trainingRecords, delta: planned.delta)
        // Fail closed: the search must be the one reserved.
        guard accounting.searchEpsilon <= context.plannedCost.epsilon * (1 + 1e-12),
              accounting.noiseMultiplier == planned.noiseMultiplier else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "the search differs from the reserved one")
        }
        let plugins = context.pipeline.environment.plugins
        var encoding = EncodingOptions(numericRange: featureRange == "symmetric" ? .symmetric : .unit,
                                       categories: .oneHot, label: labelEncoding(plugins))
        encoding.textVocabularies = context.vocabularies
        context.encoding = encoding
        let fit: PrivateDataFrame, validation: PrivateDataFrame
        let examples: FrameTrainingSet
        let validationLabels: [Float]
        do {
            // The validation part: a seeded hash of each row's content (stable under add/remove of one row).
            (fit, validation) = try train.split(testFraction: tune.validationFraction, seed: UInt64(tune.validationSeed), key: .rowContent)
            examples = try fit.trainingSet(encoding)
            validationLabels = try validation.encodedLabels(encoding).values
        } catch { throw dataError(error, stage: Self.kind, position: position) }
        _ = fit
        var generator = context.noiseSource(offset: 11)
        let trials = tune.trials.sample(using: &generator)
        let releaseNoise: ReleaseNoise = context.options.seed.map { .seeded($0 &+ 13) } ?? .secure
        context.log("hyperparameter search: K ~ \(tune.trials.summary) trials (the realised K is not released), "
                    + "σ = \(Self.fmt(accounting.noiseMultiplier)), whole search ε = \(Self.fmt(accounting.searchEpsilon))")
        var best: (score: Int64, trial: TuneSpec.Trial, model: Sequential, history: TrainingHistory)?
        var diagnostics = DiagnosticCollector()
        for index in 0..<trials {
            let trial = tune.draw(base: self, using: &generator)
            var stage = self
            stage.batchSize = trial.batchSize
            stage.epochs = trial.epochs
            stage.l2NormClip = trial.l2NormClip
            var optimizerRef = optimizer
            if trial.optimizer != optimizer.name { optimizerRef = PluginReference(name: trial.optimizer, parameters: nil, position: optimizer.position, path: optimizer.path) }
            stage.optimizer = optimizerRef
            guard let model = stage.makeModel(plugins, inputWidth: examples.featureWidth, seed: context.options.seed, diagnostics: &diagnostics),
                  let lossFunction = stage.makeLoss(plugins, diagnostics: &diagnostics) else {
                throw PipelineError.invalidPipeline(diagnostics.sorted)
            }
            var parameters = optimizerRef.pluginParameters
            if let lr = trial.learningRate { parameters["learning_rate"] = .double(lr) }
            let optimizerValue: any Optimizer
            do { optimizerValue = try plugins.makeOptimizer(trial.optimizer, parameters: parameters) } catch {
                throw PipelineError.stageFailed(stage: Self.kind, position: tune.position, reason: "tune: optimizer '\(trial.optimizer)': \(error)")
            }
            let history: TrainingHistory
            let correct: Int64
            do {
                let privateModel = try PrivateModel(model: model, l2NormClip: trial.l2NormClip, noiseMultiplier: accounting.noiseMultiplier,
                                                    noise: context.noiseSource(offset: 1 &+ (UInt64(index) << 20)))
                privateModel.compile(optimizer: optimizerValue, loss: lossFunction)
                let average = recipe.emaDecay.map { ParameterAverage(decay: $0) }
                if let average { privateModel.stepHooks = [average] }
                privateModel.learningRateSchedule = recipe.learningRateSchedule
                let loader = try FrameBatchSampler(examples, batchSize: trial.batchSize, scheme: .poisson(accountedSize: accounting.fitRecords))
                let run = try DPSGDRun(examples: accounting.fitRecords, batchSize: trial.batchSize, epochs: trial.epochs)
                guard loader.stepsPerEpoch * trial.epochs == run.steps else {
                    throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "a trial's steps differ from the accounted ones")
                }
                history = try privateModel.fit(loader, epochs: trial.epochs, targetDelta: planned.delta)
                average?.copy(into: model)
                let predictions = try validation.predictions(of: model, encoding: encoding)
                correct = try releaseNoise.addingDiscreteGaussian(
                    to: Self.correctPredictions(predictions, labels: validationLabels), sigma: tune.scoreNoise)
            } catch let error as PipelineError { throw error } catch {
                throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "\(error)")
            }
            if best == nil || correct > best!.score { best = (correct, trial, model, history) }
        }
        guard let best else {
            throw PipelineError.stageFailed(stage: Self.kind, position: tune.position,
                                            reason: "the random number of trials drawn was 0 (Poisson): no model to release; the search's budget is spent")
        }
        context.model = best.model
        context.training = RunReport.Training(
            noiseMultiplier: accounting.noiseMultiplier, l2NormClip: best.trial.l2NormClip, batchSize: best.trial.batchSize,
            samplingRate: Double(best.trial.batchSize) / Double(accounting.fitRecords), steps: best.history.steps,
            examples: accounting.fitRecords, epsilonAccountant: AccountantKind.rdp.rawValue, parameters: best.model.parameterCount,
            layers: context.pipeline.facts.training?.layerSummary ?? best.model.layers.map(\.typeName),
            epochs: zip(best.history.loss.indices, best.history.loss).map { i, loss in
                .init(epoch: i + 1, loss: loss, epsilon: accounting.searchEpsilon,
                      lossNoiseStd: i < best.history.lossNoiseStandardDeviation.count ? best.history.lossNoiseStandardDeviation[i] : 0)
            },
            loss: RunReport.LossDescription(kind: best.history.lossIsPrivateEstimate ? "dp_estimate" : "not_tracked",
                                            clip: best.history.lossClip,
                                            gradientNoiseMultiplier: best.history.gradientNoiseMultiplier ?? accounting.noiseMultiplier),
            search: SearchSummary(trialDistribution: tune.trials.summary, meanTrials: tune.trials.mean, epsilon: accounting.searchEpsilon,
                                  trialEpsilon: accounting.trialEpsilon, validationFraction: tune.validationFraction,
                                  scoreNoise: tune.scoreNoise, space: tune.spaceSummary, best: best.trial))
        context.log("search done: best hyperparameters released — " + Self.describe(best.trial)
                    + (recipe.isActive ? "; recipes: \(recipe.summary)" : ""))
    }

    public static func describe(_ t: TuneSpec.Trial) -> String {
        "optimizer \(t.optimizer)" + (t.learningRate.map { ", learning_rate \(fmt($0))" } ?? "")
            + ", l2_norm_clip \(fmt(t.l2NormClip)), batch_size \(t.batchSize), epochs \(t.epochs)"
    }

    /// Exact number of correct class predictions (argmax, or ≥ 0.5 for one output) against class-index labels.
    static func correctPredictions(_ predictions: Tensor, labels: [Float]) -> Int64 {
        let n = labels.count
        guard n > 0 else { return 0 }
        let width = max(predictions.count / n, 1)
        let p = predictions.storage
        var correct: Int64 = 0
        for i in 0..<n {
            let predicted: Int
            if width == 1 {
                predicted = p[i] >= 0.5 ? 1 : 0
            } else {
                var bestK = 0
                for k in 1..<width where p[i * width + k] > p[i * width + bestK] { bestK = k }
                predicted = bestK
            }
            if predicted == Int(labels[i].rounded()) { correct += 1 }
        }
        return correct
    }
}
