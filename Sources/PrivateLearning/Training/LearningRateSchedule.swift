/// The learning rate of each step (a value; data-independent, so no privacy cost).
public protocol LearningRateSchedule: Sendable {
    /// Learning rate of step `step` (0-based) of `totalSteps`, given the optimizer's base rate.
    func learningRate(step: Int, base: Double, totalSteps: Int) -> Double
}

/// Capability of an optimizer whose learning rate a `LearningRateSchedule` may set between steps.
/// (A separate protocol so that optimizers which keep their rate in another type, e.g. Float,
/// adopt it without changing their stored property; the standard optimizers adopt it.)
public protocol LearningRateAdjustable: Optimizer {
    /// The learning rate of the next update.
    var adjustableLearningRate: Double { get set }
}
