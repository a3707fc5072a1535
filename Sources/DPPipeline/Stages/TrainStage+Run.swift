import Foundation
import PrivacyAccounting
import PrivateDataFrame
import PrivateLearning

/// Collects per-epoch figures from the `fit` callback.
private final class EpochRecorder {
    var epochs: [RunReport.Epoch] = []
}

extension TrainStage {
    /// The target encoding the loss declares (`PluginDeclaration.targetEncoding`); a loss registered without a
    /// declaration is trained on one real value per example.
    func targetEncoding(_ plugins: PluginRegistry) -> TargetEncoding {
        plugins.targetEncoding(ofLoss: loss.name) ?? .real
    }

    /// How the label column is encoded for the loss's declared targets: class indices (binary, integer class),
    /// one-hot, or values scaled by the declared bounds (real).
    func labelEncoding(_ plugins: PluginRegistry) -> EncodingOptions.LabelEncoding {
        switch targetEncoding(plugins) {
        case .binary, .integerClass: .classIndex
        case .oneHot: .oneHot
        case .real: .scaled
        }
    }

    public func run(_ context: inout RunContext) throws {
        if let tune { return try runSearch(&context, tune) }
        if notPrivate { return try runNotPrivate(&context) }
        guard let train = context.trainFrame, let planned = context.plannedCost.training else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no training data or plan")
        }
        let plan = try resolvedPlan(trainingRecords: context.publicTrainingRecords, planned: planned)
        let plugins = context.pipeline.environment.plugins
        var encoding = EncodingOptions(numericRange: featureRange == "symmetric" ? .symmetric : .unit,
                                       categories: .oneHot, label: labelEncoding(plugins))
        encoding.textVocabularies = context.vocabularies
        context.encoding = encoding
        // The training part's rows are encoded batch by batch from its columns (no encoded copy of the part).
        let examples: FrameTrainingSet
        do {
            examples = try train.trainingSet(encoding)
        } catch { throw dataError(error, stage: Self.kind, position: position) }
        // Under replace_one N is public and must be the planned one; under add_remove the realised number of
        // rows is private and is never compared with anything (q and the steps come from the public size).
        guard plan.neighbouring == .addRemove || examples.rows == plan.examples else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position,
                                            reason: "training part larger than the planned one; refusing to train mis-accounted")
        }
        var diagnostics = DiagnosticCollector()
        let model: Sequential?
        switch self.model {
        case .layers:
            model = makeModel(plugins, inputWidth: examples.featureWidth, seed: context.options.seed, diagnostics: &diagnostics)
        case .source(let spec):
            let result = try makeSourceModel(spec, context: context, inputWidth: examples.featureWidth)
            model = result.model
            context.modelOrigin = result.origin
        }
        guard let model, let lossFunction = makeLoss(plugins, diagnostics: &diagnostics),
              let optimizerValue = makeOptimizer(plugins, diagnostics: &diagnostics) else {
            throw PipelineError.invalidPipeline(diagnostics.sorted)
        }
        do {
            let privateModel = try PrivateModel(model: model, l2NormClip: l2NormClip, noiseMultiplier: plan.noiseMultiplier,
                                                noise: context.trainingNoiseSource(), registry: plugins)
            privateModel.compile(optimizer: optimizerValue, loss: lossFunction)
            try context.prepareDataParallel(privateModel, model: model)
            let average = recipe.emaDecay.map { ParameterAverage(decay: $0) }   // recipes: no privacy cost
            if let average { privateModel.stepHooks = [average] }
            privateModel.learningRateSchedule = recipe.learningRateSchedule
            // The samplers of `PoissonLoader` (add_remove, accounted public size) and `WithoutReplacementLoader`
            // (replace_one), drawing the same batches.
            // With a privacy unit (add_remove only), units are sampled: plan.examples and batch_size count units.
            let scheme: FrameBatchSampler.Scheme = switch plan.neighbouring {
            case .addRemove: train.privacyUnit != nil ? .poissonUnits(accountedUnits: plan.examples) : .poisson(accountedSize: plan.examples)
            case .replaceOne: .withoutReplacement
            }
            let loader = try FrameBatchSampler(examples, batchSize: batchSize, scheme: scheme)
            // Fail closed: the loader must take exactly the steps that were accounted and reserved.
            guard loader.stepsPerEpoch * plan.epochs == plan.steps, abs(loader.samplingRate - plan.samplingRate) < 1e-12 else {
                throw PipelineError.stageFailed(stage: Self.kind, position: position,
                                                reason: "the loader's steps or sampling rate differ from the accounted ones")
            }
            let accountant = AccountantKind(rawValue: plan.accountant) ?? .rdp
            let recorder = EpochRecorder()
            let log = context.log
            let totalSteps = plan.steps
            let sampling = plan.neighbouring == .addRemove ? "Poisson" : "fixed-size (without replacement)"
            context.log("training \(model.parameterCount) parameters: \(plan.epochs) epochs × \(loader.stepsPerEpoch) \(sampling) steps, "
                        + "σ = \(TrainStage.fmt(plan.noiseMultiplier)), C = \(TrainStage.fmt(l2NormClip)), q = \(TrainStage.fmt(plan.samplingRate))")
            // Per-epoch ε from the pipeline's own accountant and relation (PLD when `accountant: pld`), never the
            // model's default RDP figure; ε grows with the steps, so each is ≤ the planned (target) ε.
            let history = try privateModel.fit(loader, epochs: plan.epochs, targetDelta: plan.delta) { p in
                let eps = (try? dpsgdEpsilon(samplingRate: plan.samplingRate, noiseMultiplier: plan.noiseMultiplier,
                                             steps: p.steps, delta: plan.delta, accountant: accountant,
                                             relation: plan.neighbouring)) ?? .nan
                recorder.epochs.append(.init(epoch: p.epoch, loss: p.loss, epsilon: eps,
                                             lossNoiseStd: p.lossNoiseStandardDeviation ?? 0))
                log.emit(.epoch(epoch: p.epoch, epochs: p.epochs, steps: p.steps, totalSteps: totalSteps, loss: p.loss, epsilon: eps))
            }
            guard history.steps == plan.steps else {
                throw PipelineError.stageFailed(stage: Self.kind, position: position,
                                                reason: "training took \(history.steps) steps, \(plan.steps) were accounted")
            }
            if let average, average.copy(into: model) { context.log("recipes: \(recipe.summary); the averaged parameters are evaluated and exported") }
            let finalLoss = history.loss.last ?? .nan
            let lossText: String
            if history.lossIsPrivateEstimate {
                lossText = String(format: "DP estimate of the training loss (clipped at %g) %.4f ± %.4f", history.lossClip ?? .nan,
                                  finalLoss, history.lossNoiseStandardDeviation.last ?? .nan)
            } else if finalLoss.isNaN {
                lossText = "training loss not tracked"
            } else {
                lossText = String(format: "training loss %.4f (exact: σ = 0, not private)", finalLoss)
            }
            context.log(String(format: "training done: %d steps, %@, ε = %.4g",
                               history.steps, lossText, recorder.epochs.last?.epsilon ?? .nan))
            context.model = model
            context.training = RunReport.Training(
                noiseMultiplier: plan.noiseMultiplier, l2NormClip: l2NormClip, batchSize: batchSize,
                samplingRate: plan.samplingRate, steps: history.steps, examples: plan.examples,
                epsilonAccountant: accountant.rawValue,
                parameters: model.parameterCount,
                layers: context.pipeline.facts.training?.layerSummary ?? model.layers.map(\.typeName),
                epochs: recorder.epochs,
                loss: RunReport.LossDescription(
                    kind: history.lossIsPrivateEstimate ? "dp_estimate" : (finalLoss.isNaN ? "not_tracked" : "exact"),
                    clip: history.lossClip, gradientNoiseMultiplier: history.gradientNoiseMultiplier ?? plan.noiseMultiplier))
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "\(error)")
        }
    }

    func makeSourceModel(_ spec: SpecValue, context: RunContext, inputWidth: Int) throws -> ModelSourceResult {
        let keys = spec.mappingEntries?.map(\.key) ?? []
        guard let (_, resolver) = context.pipeline.environment.stages.modelSources.first(where: { keys.contains($0.key) }) else {
            throw PipelineError.stageFailed(stage: Self.kind, position: modelPosition, reason: "no model source registered")
        }
        return try resolver.makeModel(spec, directory: context.directory, inputWidth: inputWidth,
                                      plugins: context.pipeline.environment.plugins)
    }
}
