/// `train:` — DP-SGD training of a model on the training part.
public struct TrainStage: PipelineStage {
    public static let kind = "train"
    public var position: SourcePosition
    public var model: ModelSpec
    public var modelPosition: SourcePosition
    public var loss: PluginReference
    public var optimizer: PluginReference
    /// C: per-example gradients are clipped to this L2 norm.
    public var l2NormClip: Double
    /// σ: noise standard deviation divided by the clip norm. Exactly one of `noiseMultiplier` and
    /// `targetEpsilon` is set.
    public var noiseMultiplier: Double?
    /// ε the training run must not exceed; σ is calibrated before training.
    public var targetEpsilon: Double?
    /// Expected batch size B (Poisson sampling with q = B/N).
    public var batchSize: Int
    public var epochs: Int
    /// `feature_range: unit | symmetric`: numbers scaled by their declared bounds to [0, 1] or [−1, 1].
    public var featureRange: String
    /// Privacy-free training recipes (`recipe:`, `ema:`, `lr_schedule:`).
    public var recipe = TrainingRecipeSpec()
    /// A private hyperparameter search (`tune:`); nil trains once.
    public var tune: TuneSpec? = nil
    /// `mode: not_private`: plain training without clipping or noise, for comparison runs (TrainStage+NotPrivate.swift).
    public var notPrivate = false
    public var trainingPosition: SourcePosition { position }

    public var inputs: [PipelineArtifact] { [.selection] }
    public var outputs: [PipelineArtifact] { [.model] }

    public static let definition = StageDefinition(
        name: kind, summary: "Train a model with DP-SGD (per-example clipping, Gaussian noise, Poisson sampling).",
        keys: [
            .init("model", "list of layers | mapping", required: true,
                  "layers as '- dense: {units: 32, activation: relu}', or a model source such as {keras_json: …, weights: …}"),
            .init("loss", "name | {name: {parameters}}", required: true, "loss plugin, e.g. binary_crossentropy"),
            .init("optimizer", "name | {name: {parameters}}", required: true, "optimizer plugin, e.g. {adam: {learning_rate: 0.01}}"),
            .init("l2_norm_clip", "number in [1e-6, 1e6]", required: true, "C, the L2 norm each example's gradient is clipped to"),
            .init("noise_multiplier", "number in [0.01, 1e6]", "σ, noise standard deviation divided by C (or give target_epsilon)"),
            .init("target_epsilon", "number in [0.01, 100]", "training ε to reach; σ is calibrated before training"),
            .init("batch_size", "integer in [1, 1e9]", required: true, "expected batch size B; q = B/N"),
            .init("epochs", "integer in [1, 1e6]", required: true, "passes over the training part; each is ceil(N/B) Poisson steps"),
            .init("feature_range", "unit | symmetric", "numbers scaled by their declared public bounds to [0, 1] (default) or [−1, 1]"),
            .init("recipe", "none | dp_defaults", "privacy-free recipes: dp_defaults = EMA of the parameters (0.999) + 5 % warm-up and cosine decay"),
            .init("ema", "number in [0.5, 0.99999] | off", "EMA decay of the parameters; the average is evaluated and exported"),
            .init("lr_schedule", "constant | cosine | step", "learning rate per step: constant, 5 % warm-up + cosine to 0.1×, or ×0.1 at 50 % and 75 %"),
            .init("mode", "private | not_private", "not_private: plain mini-batch training without clipping or noise, no privacy cost, the run is labelled NOT PRIVATE (comparison runs)"),
            .init("tune", "mapping", "private hyperparameter search (trials, validation_fraction, score_noise, learning_rate, l2_norm_clip, batch_size, epochs, optimizer); see docs/tuning.md"),
        ],
        decode: { value, diagnostics in
            guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
            let errorsBefore = diagnostics.diagnostics.count
            var model: ModelSpec?
            let modelValue = r.required("model", diagnostics: &diagnostics)
            if let modelValue {
                if let items = modelValue.sequenceItems {
                    if items.isEmpty { diagnostics.error(modelValue.position, "'\(modelValue.path)' must list at least one layer") }
                    let layers = items.compactMap { PluginReference.decode($0, what: "a layer entry ('\($0.path)')", diagnostics: &diagnostics) }
                    if layers.count == items.count { model = .layers(layers) }
                } else if modelValue.mappingEntries != nil {
                    model = .source(modelValue)
                } else {
                    diagnostics.error(modelValue.position, "'\(modelValue.path)' must be a list of layers or a model source mapping, found \(modelValue.typeName)")
                }
            }
            let loss = r.required("loss", diagnostics: &diagnostics).flatMap {
                PluginReference.decode($0, what: "'\($0.path)'", diagnostics: &diagnostics)
            }
            let optimizer = r.required("optimizer", diagnostics: &diagnostics).flatMap {
                PluginReference.decode($0, what: "'\($0.path)'", diagnostics: &diagnostics)
            }
            let clip = r.double("l2_norm_clip", required: true, SpecLimits.within(SpecLimits.l2NormClip), diagnostics: &diagnostics)
            let notPrivate = r.choice("mode", ["private", "not_private"], diagnostics: &diagnostics) == "not_private"
            let sigmaValue = r.optional("noise_multiplier"), targetValue = r.optional("target_epsilon")
            let sigma = sigmaValue.flatMap { SpecMappingReader.number($0, SpecLimits.within(SpecLimits.noiseMultiplier), diagnostics: &diagnostics) }
            let target = targetValue.flatMap { SpecMappingReader.number($0, SpecLimits.within(SpecLimits.targetEpsilon), diagnostics: &diagnostics) }
            if sigmaValue != nil && targetValue != nil {
                diagnostics.error(targetValue!.position, "give either 'noise_multiplier' or 'target_epsilon', not both")
            } else if sigmaValue == nil && targetValue == nil && !notPrivate {
                diagnostics.error(value.position, "missing 'noise_multiplier' (σ) or 'target_epsilon' in '\(value.path)'")
            }
            let batch = r.int("batch_size", required: true, in: SpecLimits.batchSize, diagnostics: &diagnostics)
            let epochs = r.int("epochs", required: true, in: SpecLimits.epochs, diagnostics: &diagnostics)
            let featureRange = r.choice("feature_range", ["unit", "symmetric"], diagnostics: &diagnostics) ?? "unit"
            let recipe = TrainingRecipeSpec.decode(&r, diagnostics: &diagnostics)
            let tune = r.optional("tune").flatMap { TuneSpec.decode($0, diagnostics: &diagnostics) }
            r.finish(diagnostics: &diagnostics)
            // Range checks on common plugin parameters, so they get a position (factories check the rest).
            for ref in [optimizer].compactMap({ $0 }) {
                for entry in ref.entries where ["learning_rate", "lr"].contains(entry.key) {
                    _ = SpecMappingReader.number(entry.value, SpecLimits.within(SpecLimits.learningRate), diagnostics: &diagnostics)
                }
            }
            var references = [loss, optimizer].compactMap { $0 }
            if case .layers(let layers)? = model { references += layers }
            for ref in references { TrainStage.checkNumbers(ref.entries.map(\.value), diagnostics: &diagnostics) }
            if case .layers(let layers)? = model {
                for layer in layers {
                    for entry in layer.entries where entry.key == "units" {
                        if let units = entry.value.intValue, !SpecLimits.units.contains(units) {
                            diagnostics.error(entry.value.position, "'\(entry.value.path)' must be \(SpecMappingReader.describe(SpecLimits.units)), found \(units)")
                        }
                    }
                    for entry in layer.entries where entry.key == "rate" {
                        _ = SpecMappingReader.number(entry.value, "in [0, 1)", { $0 >= 0 && $0 < 1 }, diagnostics: &diagnostics)
                    }
                }
            }
            // With errors in numeric keys, still return the stage (with neutral values) so that phase (b) reports
            // unknown layer, loss and optimizer names too; the pipeline is invalid either way and never runs.
            guard let model, let modelValue, let loss, let optimizer else { return nil }
            _ = errorsBefore
            var stage = TrainStage(position: value.position, model: model, modelPosition: modelValue.position, loss: loss,
                                   optimizer: optimizer, l2NormClip: clip ?? 1, noiseMultiplier: sigma ?? (target == nil ? 1 : nil),
                                   targetEpsilon: target, batchSize: batch ?? 1, epochs: epochs ?? 1, featureRange: featureRange,
                                   recipe: recipe, tune: tune)
            stage.notPrivate = notPrivate
            if notPrivate, tune != nil { diagnostics.error(value.position, "'tune' is for private training; remove 'mode: not_private'") }
            return stage
        })
}

extension TrainStage {
    /// Every number given to a plugin (recursively in lists and mappings) must be a finite 64-bit value of
    /// magnitude at most `SpecLimits.maxMagnitude`: factories then never see ∞, NaN or a value whose square
    /// overflows.
    static func checkNumbers(_ values: [SpecValue], diagnostics: inout DiagnosticCollector) {
        for value in values {
            switch value.kind {
            case .scalar(let text, false):
                if SpecValue.isOverflowingInteger(text) {
                    diagnostics.error(value.position, "'\(value.path)' is an integer too large for 64 bits")
                } else if SpecValue.int(text) == nil, SpecValue.bool(text) == nil, let d = SpecValue.double(text),
                          !(d.isFinite && abs(d) <= SpecLimits.maxMagnitude) {
                    diagnostics.error(value.position, "'\(value.path)' must be a finite number of magnitude at most 1e15, found '\(text)'")
                } else if let i = SpecValue.int(text), i.magnitude > UInt64(SpecLimits.maxMagnitude) {
                    diagnostics.error(value.position, "'\(value.path)' must be of magnitude at most 1e15, found \(i)")
                }
            case .scalar:
                break
            case .sequence(let items):
                checkNumbers(items, diagnostics: &diagnostics)
            case .mapping(let entries):
                checkNumbers(entries.map(\.value), diagnostics: &diagnostics)
            }
        }
    }
}
