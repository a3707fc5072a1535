/// Called by the training loop after every optimizer update (e.g. an exponential moving average
/// of the parameters). Sees only parameters — post-processing of DP releases, no privacy cost.
public protocol TrainingStepHook: AnyObject {
    /// - Parameters:
    ///   - step: 1-based index of the update just applied (over every `fit` of the model).
    ///   - parameters: the model's parameters after the update, in `Sequential.parameters` order.
    func didUpdate(step: Int, parameters: [Tensor])
}
