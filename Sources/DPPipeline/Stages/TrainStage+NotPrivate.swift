import PrivateDataFrame
import PrivateLearning

extension TrainStage {
    /// `mode: not_private`: the same model, loss, optimizer, batch size and epochs trained by plain mini-batch descent
    /// (shuffled batches, mean gradient, no clipping, no noise). No privacy cost is charged and the run is labelled
    /// NOT PRIVATE: it exists to measure what DP costs in accuracy (the pipeline author receives a model trained on
    /// the private data without protection, so only the data owner should run it).
    func runNotPrivate(_ context: inout RunContext) throws {
        guard let train = context.trainFrame else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no training data")
        }
        let plugins = context.pipeline.environment.plugins
        var encoding = EncodingOptions(numericRange: featureRange == "symmetric" ? .symmetric : .unit,
                                       categories: .oneHot, label: labelEncoding(plugins))
        encoding.textVocabularies = context.vocabularies
        context.encoding = encoding
        let x: EncodedMatrix, y: EncodedMatrix
        do {
            x = try train.encodedFeatures(encoding)
            y = try train.encodedLabels(encoding)
        } catch { throw dataError(error, stage: Self.kind, position: position) }
        var diagnostics = DiagnosticCollector()
        guard case .layers = self.model,
              let model = makeModel(plugins, inputWidth: x.columns, seed: context.options.seed, diagnostics: &diagnostics),
              let lossFunction = makeLoss(plugins, diagnostics: &diagnostics),
              let optimizerValue = makeOptimizer(plugins, diagnostics: &diagnostics) else {
            if diagnostics.hasErrors { throw PipelineError.invalidPipeline(diagnostics.sorted) }
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "mode: not_private needs a list of layers")
        }
        context.notPrivateReasons.append("train uses mode: not_private — the model was trained without clipping or noise")
        guard x.rows > 0 else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no training rows (mode: not_private)")
        }
        model.compile(optimizer: optimizerValue, loss: lossFunction)
        let log = context.log
        do {
            var epochsDone: [RunReport.Epoch] = []
            let history = try model.fit(Tensor(shape: [x.rows, x.columns], values: x.values), Tensor(shape: [y.rows, y.columns], values: y.values),
                                        epochs: epochs, batchSize: batchSize, seed: context.options.seed) { p in
                epochsDone.append(.init(epoch: p.epoch, loss: p.loss, epsilon: 0, lossNoiseStd: 0))
                log("epoch \(p.epoch)/\(p.epochs): training loss \(TrainStage.fmt(p.loss)) (exact, NOT PRIVATE)")
            }
            context.log("training done (NOT PRIVATE): \(history.steps) plain steps")
            context.training = RunReport.Training(
                noiseMultiplier: 0, l2NormClip: 0, batchSize: batchSize, samplingRate: 0, steps: history.steps,
                examples: context.publicTrainingRecords ?? 0, epsilonAccountant: "none (mode: not_private, NOT PRIVATE)",
                parameters: model.parameterCount, layers: context.pipeline.facts.training?.layerSummary ?? model.layers.map(\.typeName),
                epochs: epochsDone, loss: RunReport.LossDescription(kind: "exact", clip: nil, gradientNoiseMultiplier: 0))
        } catch {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "\(error)")
        }
        context.model = model
    }
}
