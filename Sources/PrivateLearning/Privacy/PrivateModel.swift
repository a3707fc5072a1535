import Foundation
import PrivacyAccounting

/// DP-SGD training of a `Sequential` model (Abadi et al. 2016), book-keeping style.
///
/// One step on a Poisson batch is a `GradientPrivatizer` value (`privatizer`):
/// 1. the batch is split into per-thread slices at unit boundaries; each runs one forward and one
///    backward pass with the stateless layers on its own `Tape`;
/// 2. per-unit squared gradient norms summed over **all** layers (the norm sampler registered
///    for each layer type in `registry`, or the generic fallback), clip factors
///    `c_u = min(1, C/‖g_u‖)` from `FlatClipping`;
/// 3. the clipped sum `Σ_u c_u Σ_{i∈u} g_i` per layer (`parameterGradients` with weights), slices added once;
/// 4. Gaussian noise `N(0, (σ_g·C)²)` added once per coordinate (`GaussianNoise`);
/// 5. division by the **expected** batch size `q·N`, then the wrapped optimizer's update; the
///    accountant is stepped by `AccountingStepHook`, then the `stepHooks` run;
/// 6. with `lossTracking == .privateEstimate(noiseRatio: k, clip: L)` (the default), on the same
///    batch the clipped loss sum `Σ_u min(max(Σ_{i∈u} ℓ_i, 0), L) + N(0, (σ_L·L)²)` is released too.
///
/// `noiseMultiplier` σ is the accounting noise multiplier of the whole per-step release: the
/// gradient and loss noise multipliers are `σ_g = σ·√(1 + 1/k²)` and `σ_L = k·σ_g`, so that
/// `1/σ_g² + 1/σ_L² = 1/σ²` and the pair is one Gaussian mechanism with noise multiplier σ
/// (derivation in `LossTracking`). ε is therefore computed from (q, σ) whether or not the loss
/// is tracked. With `.off`, σ_g = σ and no loss is released.
///
/// The optimizer never sees per-example data; any `Optimizer` works.
public final class PrivateModel {
    public let model: Sequential
    /// C: every example's gradient (over all parameters) is scaled to L2 norm ≤ C.
    public let l2NormClip: Double
    /// σ: the accounting noise multiplier of each step's whole release (gradient sum and, with
    /// loss tracking, clipped loss sum). ε is that of the Poisson-subsampled Gaussian with (q, σ).
    /// The gradient noise std on the sum is `gradientNoiseMultiplier · C` (= σ·C with
    /// `lossTracking == .off`). σ = 0 trains without privacy.
    public let noiseMultiplier: Double
    /// How the training loss of a private run is reported (default: a DP estimate, k = 4, L = 4).
    public let lossTracking: LossTracking
    /// σ_g: gradient noise std on the clipped sum divided by C. `σ·√(1 + 1/k²)` with a private
    /// loss estimate, σ with `.off` (0 when σ = 0).
    public var gradientNoiseMultiplier: Double {
        lossTracking.gradientNoiseMultiplier(accountingNoiseMultiplier: noiseMultiplier)
    }
    /// σ_L = k·σ_g: loss-sum noise std divided by the loss clip L (nil with `.off`).
    public var lossNoiseMultiplier: Double? {
        lossTracking.lossNoiseMultiplier(accountingNoiseMultiplier: noiseMultiplier)
    }
    /// Randomness for sampling and noise; secure unless a seeded source was passed (then the
    /// run is reported not private).
    public let noise: any NoiseSource
    /// The Gaussian noise mechanism over `noise` (gradient and loss releases).
    public let noiseMechanism: GaussianNoise
    /// Norm samplers by layer type (e.g. `StandardPlugins.register(into:)`); layers without one
    /// use the generic fallback (correct, slower).
    public var registry: PluginRegistry
    /// Threads one step uses (the batch split into slices; default: every core). Results equal
    /// the one-thread path up to float summation order; noise is drawn once per step.
    public var threadCount = ProcessInfo.processInfo.activeProcessorCount
    /// Where several workers' clipped sums are combined before the root adds noise (default local).
    public var reduction: any GradientReduction = LocalReduction()

    /// Draw each step's noise ahead of time on a background thread (default true). Noise is
    /// data-independent, so this changes nothing about privacy; it takes the Gaussian sampling
    /// off the critical path when a second core is available. The worker uses its own stream
    /// (`NoiseSource.independentStream()`); each noise buffer is used exactly once.
    public var prefetchesNoise = true

    /// DP-SGD steps taken by every `fit` of this model so far; ε is reported over all of them.
    public private(set) var totalSteps = 0
    /// Sampling rate of the steps taken so far (nil before the first `fit`).
    public private(set) var accountedSamplingRate: Double?
    /// The accountant stepped once per DP-SGD step (nil before the first `fit`).
    public private(set) var accounting: AccountingStepHook?

    /// Called after every optimizer update of `fit` (e.g. `ParameterAverage`); post-processing, no privacy cost.
    public var stepHooks: [any TrainingStepHook] = []
    /// The learning rate of each step of `fit` (nil: the optimizer's own, constant); the optimizer must be
    /// `LearningRateAdjustable`. Public function of the step index: no privacy cost.
    public var learningRateSchedule: (any LearningRateSchedule)?

    public private(set) var optimizer: (any Optimizer)?
    public private(set) var loss: (any Loss)?
    public private(set) var metrics: [Metric] = []

    /// Wraps `model` for DP-SGD.
    /// - Parameters:
    ///   - l2NormClip: C > 0, the per-example gradient L2 bound (sensitivity of the sum).
    ///   - noiseMultiplier: σ ≥ 0, the accounting noise multiplier of each step's release.
    ///     Noise std per coordinate of the gradient sum is σ_g·C with σ_g = σ·√(1 + 1/k²) when
    ///     the loss is tracked privately, σ·C with `lossTracking: .off`.
    ///   - noise: `.secure` (default) or `.seeded(_:)` for tests (not private).
    ///   - lossTracking: `.privateEstimate()` (default: k = 4, L = 4) or `.off`; see `LossTracking`.
    ///   - registry: norm samplers by layer type (pass the registry the model's layers came from;
    ///     an empty registry makes every layer use the generic fallback).
    /// - Throws: `PrivateLearningError.layersMixExamples` listing every layer that mixes
    ///   examples (declared, or found by `ExampleIsolationCheck` for layers dpflow has not
    ///   vetted); `.invalidConfiguration` for C ≤ 0, σ < 0, or a loss noise ratio or loss clip
    ///   that is not a finite number > 0.
    public init(model: Sequential, l2NormClip: Double, noiseMultiplier: Double,
                noise: any NoiseSource = SecureRandomSource(),
                lossTracking: LossTracking = .privateEstimate(), registry: PluginRegistry = PluginRegistry()) throws {
        guard l2NormClip > 0, l2NormClip.isFinite else {
            throw PrivateLearningError.invalidConfiguration("l2_norm_clip must be a finite number > 0, got \(l2NormClip)")
        }
        guard noiseMultiplier >= 0, noiseMultiplier.isFinite else {
            throw PrivateLearningError.invalidConfiguration("noise_multiplier must be a finite number ≥ 0, got \(noiseMultiplier)")
        }
        if case .privateEstimate(let k, let clip) = lossTracking {
            guard k > 0, k.isFinite else {
                throw PrivateLearningError.invalidConfiguration("loss noise ratio must be a finite number > 0, got \(k)")
            }
            guard clip > 0, clip.isFinite else {
                throw PrivateLearningError.invalidConfiguration("loss clip must be a finite number > 0, got \(clip)")
            }
        }
        // Declared mixing, and (for layers dpflow has not vetted) an empirical perturbation check.
        let offenders = model.exampleMixingLayers().map {
            "layers[\($0.index)] (\($0.layer)): mixes examples within a batch\($0.reason.map { " (\($0))" } ?? ""); "
                + "use layer_normalization (group_normalization for images) or no normalisation"
        }
        if !offenders.isEmpty { throw PrivateLearningError.layersMixExamples(offenders) }
        self.model = model
        self.l2NormClip = l2NormClip
        self.noiseMultiplier = noiseMultiplier
        self.noise = noise
        self.noiseMechanism = GaussianNoise(source: noise)
        self.lossTracking = lossTracking
        self.registry = registry
    }

    /// Sets the wrapped optimizer, the loss (per-example) and metrics.
    public func compile(optimizer: any Optimizer, loss: any Loss, metrics: [Metric] = []) {
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
    }

    /// True when a run with this configuration would carry a DP guarantee.
    public var isPrivate: Bool { noise.isCryptographicallySecure && noiseMultiplier > 0 }

    /// The DP step of this model as a value: flat clipping at C, Gaussian noise with σ_g, the
    /// loss release (L, σ_L) when tracked, `reduction`, `registry`, `threadCount`.
    public var privatizer: GradientPrivatizer {
        var lossRelease: (clip: Double, noiseMultiplier: Double)? = nil
        if let clip = lossTracking.lossClip, let sigmaL = lossNoiseMultiplier { lossRelease = (clip, sigmaL) }
        return GradientPrivatizer(clipping: FlatClipping(clip: l2NormClip), noise: noiseMechanism, reduction: reduction,
                                  gradientNoiseMultiplier: gradientNoiseMultiplier, lossRelease: lossRelease,
                                  registry: registry, threadCount: threadCount)
    }

    /// Squared L2 norm of each unit's full gradient (all layers) on a batch (one thread).
    func perUnitSquaredNorms(batch: TrainingBatch, loss: any Loss) -> [Double] {
        let recorded = model.forwardRecording(batch.features)
        var tape = recorded.tape
        model.backward(loss.perExampleGradient(predictions: recorded.output, targets: batch.labels), tape: &tape, inputGradient: false)
        let norms = model.perUnitSquaredNorms(tape: tape, units: batch.privacyUnits, registry: registry)
        return FlatClipping.totalSquaredNorms(norms, unitCount: batch.unitCount)
    }

    /// Clip factors `min(1, C/‖g_i‖)` for squared norms, rounded so that the clipped norm never
    /// exceeds C (see `ClipFactor`). An example whose gradient norm is not finite (overflow, NaN)
    /// gets factor 0: its contribution is dropped, which keeps the sensitivity bound C.
    func clipFactors(squaredNorms: [Double]) -> [Float] {
        squaredNorms.map { ClipFactor.factor(squaredNorm: $0, clip: l2NormClip) }
    }

    /// Per-example gradient L2 norms (before clipping) of `loss` on a batch.
    /// - Throws: `.notCompiled` before `compile`.
    public func perExampleGradientNorms(features: Tensor, labels: Tensor) throws -> [Float] {
        guard let loss else { throw PrivateLearningError.notCompiled }
        return perUnitSquaredNorms(batch: TrainingBatch(features: features, labels: labels), loss: loss).map { Float($0.squareRoot()) }
    }

    /// Per-unit gradient L2 norms (before clipping) of `loss` on a batch with privacy units.
    /// - Throws: `.notCompiled` before `compile`.
    public func perUnitGradientNorms(_ batch: TrainingBatch) throws -> [Float] {
        guard let loss else { throw PrivateLearningError.notCompiled }
        return perUnitSquaredNorms(batch: batch, loss: loss).map { Float($0.squareRoot()) }
    }

    /// The privatised gradient of one step: `(Σ_i clip(g_i) + N(0, σ_g²C²I)) / expectedBatchSize`
    /// with σ_g = `gradientNoiseMultiplier` (σ·√(1 + 1/k²) with loss tracking, σ with `.off`).
    ///
    /// `features` may have zero rows (an empty Poisson batch): the result is then noise only.
    /// - Parameters:
    ///   - expectedBatchSize: q·N, the public divisor (never the drawn batch size).
    /// - Returns: one tensor per model parameter, in `model.parameters` order, and the raw
    ///   per-example losses. **The losses are not DP-protected**: they are for tests and custom
    ///   loops that keep them inside the trust boundary; publish `privatizedStep`'s
    ///   `noisyClippedLossSum` instead. (`fit` never reports them for σ > 0.)
    public func privatizedGradients(features: Tensor, labels: Tensor, expectedBatchSize: Double) throws
        -> (gradients: [Tensor], losses: [Float]) {
        let step = try privatizedStep(TrainingBatch(features: features, labels: labels), expectedBatchSize: expectedBatchSize)
        return (step.gradients, step.perExampleLosses)
    }

    /// One step's full release: the privatised gradient (as `privatizedGradients`) and, with
    /// loss tracking, the noisy clipped loss sum `Σ_i min(max(ℓ_i, 0), L) + N(0, (σ_L·L)²)` drawn
    /// on the same batch. Gradient and loss sum together cost one Gaussian step with noise
    /// multiplier σ (see `LossTracking`).
    public func privatizedStep(features: Tensor, labels: Tensor, expectedBatchSize: Double) throws -> PrivatizedStep {
        try privatizedStep(TrainingBatch(features: features, labels: labels), expectedBatchSize: expectedBatchSize)
    }

    /// One step's full release on a batch with privacy units (C1): each unit's summed gradient
    /// is clipped, the divisor is the expected number of units, the loss release clips per unit.
    /// - Throws: `.notCompiled`; `.nonFiniteGradient`; the reduction's errors.
    public func privatizedStep(_ batch: TrainingBatch, expectedBatchSize: Double) throws -> PrivatizedStep {
        guard let loss else { throw PrivateLearningError.notCompiled }
        return try privatizer.privatize(model: model, loss: loss, batch: batch, expectedBatchSize: expectedBatchSize)
    }

    /// Per-example loss clipped to [0, L]. A NaN loss counts as L (an example whose loss is
    /// undefined is treated as maximally wrong); ±∞ clip to L and 0. Any value in [0, L] keeps
    /// the sensitivity bound L.
    @inline(__always)
    static func clippedLoss(_ l: Float, clip: Double) -> Double {
        GradientPrivatizer.clippedLoss(Double(l), clip: clip)
    }

    /// Trains with DP-SGD for `epochs` epochs of `loader.stepsPerEpoch` steps, each batch drawn by `loader`
    /// (`PoissonLoader` for add/remove-one neighbours, `WithoutReplacementLoader` for replace-one) and its noisy
    /// gradient sum divided by the public batch size B; ε is accounted for the loader's sampling scheme.
    ///
    /// - Parameters:
    ///   - targetDelta: δ of the reported (ε, δ).
    ///   - accountant: accountant for ε (`.rdp` after every epoch; `.pld`, slower, after the
    ///     last epoch only — earlier entries are nil).
    ///   - progress: called after every epoch.
    /// - Returns: per-epoch training loss — for σ > 0 the DP estimate of the mean clipped loss
    ///   (`lossIsPrivateEstimate`, with its noise std per epoch) or NaN with `lossTracking: .off`;
    ///   for σ = 0 the exact mean loss — ε spent so far (one subsampled Gaussian event — Poisson, or without replacement for replace-one —
    ///   per step with (q, σ), q = batchSize/N, covering gradient and loss releases), steps, q, σ,
    ///   σ_g, C, and whether the run is private (ε is that of the mechanism; with a seeded noise
    ///   source the run carries no guarantee). No other per-epoch statistic of the training data
    ///   (accuracy …) is computed: `metrics` stays empty.
    /// Calling `fit` again continues training: ε then covers the steps of every `fit` so far
    /// (`totalSteps`), which requires the same sampling rate.
    /// - Throws: `.notCompiled`; `.invalidConfiguration` for epochs ≤ 0, δ ∉ (0, 1), or a
    ///   sampling rate different from an earlier `fit` (not composable here: use a new model or
    ///   the accounting module's composition); `.invalidTrainingData` when the loader's shapes do
    ///   not fit the model.
    public func fit(_ loader: some BatchSampler, epochs: Int, targetDelta: Double,
                    accountant: AccountantKind = .rdp,
                    progress: ((TrainingProgress) -> Void)? = nil) throws -> TrainingHistory {
        guard let optimizer, let loss else { throw PrivateLearningError.notCompiled }
        guard epochs > 0 else { throw PrivateLearningError.invalidConfiguration("epochs must be > 0, got \(epochs)") }
        guard targetDelta > 0, targetDelta < 1 else {
            throw PrivateLearningError.invalidConfiguration("target delta must be in (0, 1), got \(targetDelta)")
        }
        guard loader.featureWidth == model.inputShape.reduce(1, *) else {
            throw PrivateLearningError.invalidTrainingData(
                "model expects \(model.inputShape.reduce(1, *)) features per example, data has \(loader.featureWidth)")
        }
        if let earlier = accountedSamplingRate, earlier != loader.samplingRate {
            throw PrivateLearningError.invalidConfiguration(
                "this model already took \(totalSteps) steps at sampling rate \(earlier); a fit at sampling rate "
                + "\(loader.samplingRate) cannot be accounted together with them")
        }
        let scheduled = learningRateSchedule.map { ($0, optimizer as? any LearningRateAdjustable) }
        if let scheduled, scheduled.1 == nil {
            throw PrivateLearningError.invalidConfiguration("optimizer '\(optimizer.typeName)' has no adjustable learning rate for a schedule")
        }
        let baseRate = scheduled?.1?.adjustableLearningRate ?? 0
        defer { scheduled?.1?.adjustableLearningRate = baseRate }
        var fitStep = 0
        accountedSamplingRate = loader.samplingRate
        var history = TrainingHistory()
        history.samplingRate = loader.samplingRate
        history.noiseMultiplier = noiseMultiplier
        history.gradientNoiseMultiplier = gradientNoiseMultiplier
        history.l2NormClip = l2NormClip
        history.delta = targetDelta
        history.isPrivate = isPrivate
        history.accountant = accountant.rawValue
        // What the loss entries are: σ = 0 → exact mean (nothing to protect); σ > 0 → the DP
        // estimate of the mean clipped loss, or NaN when loss tracking is off.
        let estimatesLoss = noiseMultiplier > 0 && lossTracking.lossClip != nil
        history.lossIsPrivateEstimate = estimatesLoss
        if estimatesLoss {
            history.lossClip = lossTracking.lossClip
            history.lossNoiseMultiplier = lossNoiseMultiplier
        }
        let expectedPerEpoch = Double(loader.stepsPerEpoch) * loader.expectedBatchSize
        var generator = noise
        if prefetchesNoise && noiseMultiplier > 0 { noiseMechanism.startPrefetching(count: model.parameterCount) }
        defer { noiseMechanism.stopPrefetching() }
        let event = loader.stepEvent(noiseMultiplier: noiseMultiplier)
        if accounting == nil || accounting?.event != event || accounting?.accountant != accountant {
            let hook = AccountingStepHook(event: event, accountant: accountant)
            for _ in 0..<totalSteps { hook.didStep() }
            accounting = hook
        }
        let privatizer = self.privatizer
        for epoch in 1...epochs {
            var exactTotal = 0.0       // σ = 0 only
            var seen = 0               // σ = 0 only
            var noisyLossSum = 0.0     // Σ over the epoch's steps of the released noisy clipped sums
            for _ in 0..<loader.stepsPerEpoch {
                let batch = loader.sampleBatch(using: &generator)
                let step = try privatizer.privatize(model: model, loss: loss, batch: batch,
                                                    expectedBatchSize: loader.expectedBatchSize)
                if let schedule = scheduled?.0, let adjustable = scheduled?.1 {
                    adjustable.adjustableLearningRate = schedule.learningRate(step: fitStep, base: baseRate,
                                                                             totalSteps: epochs * loader.stepsPerEpoch)
                }
                model.apply(gradients: step.gradients, optimizer: optimizer)
                fitStep += 1
                accounting?.didStep()
                if !stepHooks.isEmpty { let p = model.parameters; for h in stepHooks { h.didUpdate(step: fitStep, parameters: p) } }
                if noiseMultiplier == 0 {
                    exactTotal += step.perExampleLosses.reduce(0.0) { $0 + Double($1) }
                    seen += step.perExampleLosses.count
                } else if estimatesLoss {
                    noisyLossSum += step.noisyClippedLossSum ?? .nan
                }
                // For σ > 0 the raw per-example losses are dropped here: they are not DP-protected.
                history.steps += 1
                totalSteps += 1
            }
            let epochLoss: Double
            var epochLossStd: Double? = nil
            if noiseMultiplier == 0 {
                epochLoss = seen > 0 ? exactTotal / Double(seen) : .nan
            } else if estimatesLoss, let sigmaL = lossNoiseMultiplier, let clip = lossTracking.lossClip {
                // Divide by the expected number of examples seen (steps · q·N), never the drawn one.
                epochLoss = noisyLossSum / expectedPerEpoch
                let std = sigmaL * clip * Double(loader.stepsPerEpoch).squareRoot() / expectedPerEpoch
                history.lossNoiseStandardDeviation.append(std)
                epochLossStd = std
            } else {
                epochLoss = .nan
            }
            history.loss.append(epochLoss)
            var spent: Double? = nil
            if accountant == .rdp || epoch == epochs {
                spent = noiseMultiplier == 0 ? Double.infinity : try accounting?.epsilon(delta: targetDelta)
            }
            history.epsilon.append(spent)
            history.cumulativeSteps = totalSteps
            progress?(TrainingProgress(epoch: epoch, epochs: epochs, steps: history.steps,
                                       loss: epochLoss, epsilon: spent,
                                       lossIsPrivateEstimate: estimatesLoss, lossNoiseStandardDeviation: epochLossStd))
        }
        return history
    }

    /// Predictions of the wrapped model (post-processing: no privacy cost).
    public func predict(_ x: Tensor) -> Tensor { model.predict(x) }

    /// Mean loss and metrics of the wrapped model on `(x, y)`.
    public func evaluate(_ x: Tensor, _ y: Tensor) throws -> [String: Double] {
        guard let loss, let optimizer else { throw PrivateLearningError.notCompiled }
        model.compile(optimizer: optimizer, loss: loss, metrics: metrics)
        return try model.evaluate(x, y)
    }
}
