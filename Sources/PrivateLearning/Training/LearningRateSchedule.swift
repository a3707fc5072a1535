import Foundation

/// The learning rate of each DP-SGD step (contract C3). A schedule is a public function of the step
/// index: it costs no privacy.
public protocol LearningRateSchedule: Sendable {
    /// Learning rate of step `step` (0-based) of a run of `totalSteps` steps whose declared rate is `base`.
    func learningRate(step: Int, base: Double, totalSteps: Int) -> Double
    /// Short description for logs and reports, e.g. "warm-up 5 % then cosine to 0.1×".
    var summary: String { get }
}

extension LearningRateSchedule {
    public var summary: String { "custom schedule (\(Self.self))" }
}

/// Linear warm-up from `base/warmupSteps` to `base` over the first steps, then cosine decay to
/// `base · finalFactor` at the last step (Goyal et al. 2017 warm-up; Loshchilov & Hutter 2017 cosine,
/// as in De et al. 2022 for DP-SGD).
public struct WarmupCosineSchedule: LearningRateSchedule, Hashable {
    /// Fraction of the run spent warming up, in [0, 1).
    public var warmupFraction: Double
    /// Learning rate at the end, as a fraction of the base rate, in [0, 1].
    public var finalFactor: Double

    public init(warmupFraction: Double = 0.05, finalFactor: Double = 0.1) {
        self.warmupFraction = min(max(warmupFraction.isFinite ? warmupFraction : 0, 0), 0.99)
        self.finalFactor = min(max(finalFactor.isFinite ? finalFactor : 0, 0), 1)
    }

    public func learningRate(step: Int, base: Double, totalSteps: Int) -> Double {
        let total = max(totalSteps, 1)
        let warmup = Int((warmupFraction * Double(total)).rounded(.down))
        let t = min(max(step, 0), total - 1)
        if t < warmup { return base * Double(t + 1) / Double(warmup) }
        let span = max(total - warmup - 1, 1)
        let progress = min(Double(t - warmup) / Double(span), 1)
        let cosine = 0.5 * (1 + Foundation.cos(Double.pi * progress))
        return base * (finalFactor + (1 - finalFactor) * cosine)
    }

    public var summary: String {
        String(format: "warm-up %g %% then cosine decay to %g× the base rate", warmupFraction * 100, finalFactor)
    }
}

/// Linear warm-up (optional), then the rate multiplied by `factor` at each of the given fractions of the run
/// (e.g. `[0.5, 0.75]` with factor 0.1: ×0.1 at half-way, ×0.01 at three quarters).
public struct StepDecaySchedule: LearningRateSchedule, Hashable {
    public var warmupFraction: Double
    /// Fractions of the run in (0, 1) at which the rate drops, sorted.
    public var boundaries: [Double]
    /// Multiplier applied at each boundary, in (0, 1].
    public var factor: Double

    public init(warmupFraction: Double = 0, boundaries: [Double] = [0.5, 0.75], factor: Double = 0.1) {
        self.warmupFraction = min(max(warmupFraction.isFinite ? warmupFraction : 0, 0), 0.99)
        self.boundaries = boundaries.filter { $0.isFinite && $0 > 0 && $0 < 1 }.sorted()
        self.factor = min(max(factor.isFinite ? factor : 1, 1e-6), 1)
    }

    public func learningRate(step: Int, base: Double, totalSteps: Int) -> Double {
        let total = max(totalSteps, 1)
        let warmup = Int((warmupFraction * Double(total)).rounded(.down))
        let t = min(max(step, 0), total - 1)
        if t < warmup { return base * Double(t + 1) / Double(warmup) }
        let progress = Double(t) / Double(total)
        let drops = boundaries.filter { progress >= $0 }.count
        return base * Foundation.pow(factor, Double(drops))
    }

    public var summary: String {
        "step decay ×\(String(format: "%g", factor)) at \(boundaries.map { String(format: "%g %%", $0 * 100) }.joined(separator: ", "))"
            + (warmupFraction > 0 ? String(format: " after %g %% warm-up", warmupFraction * 100) : "")
    }
}

/// An optimizer whose step size a `LearningRateSchedule` can set between steps. (A separate capability, so that
/// optimizers that store their rate in another type, e.g. Float, adopt it without changing their stored property.)
public protocol LearningRateAdjustable: Optimizer {
    /// The current step size (the declared one before any schedule touches it).
    var adjustableLearningRate: Double { get set }
}
