/// Called by the DP-SGD loop after every optimizer update (contract C3).
///
/// A hook sees only the parameters, which are already a DP release (post-processing of the noisy
/// gradients): whatever it computes from them costs no privacy. Hooks run in the order given.
public protocol TrainingStepHook: AnyObject {
    /// - Parameters:
    ///   - step: 1-based index of the update just applied, counted over this `fit`.
    ///   - parameters: the model's parameters after the update, in `Sequential.parameters` order.
    func didUpdate(step: Int, parameters: [Tensor])
}
