/// Exponential moving average of the parameters over the steps of a DP-SGD run (Polyak averaging in
/// its EMA form; De et al. 2022 report it as one of the largest free gains for DP-SGD).
///
/// After step t: `avg ← β_t·avg + (1 − β_t)·θ_t` with `β_t = min(decay, (1 + t)/(10 + t))`, the warm-up of
/// TensorFlow's `ExponentialMovingAverage(num_updates:)`, so that short runs are not dominated by the
/// initial parameters; the average starts at the first update's parameters. It is a function of the
/// released (noisy) parameters only: post-processing, no privacy cost. Evaluate and export the averaged
/// model by `copy(into:)` at the end of training.
public final class ParameterAverage: TrainingStepHook {
    /// β, in [0, 1): the weight of the past at steady state.
    public let decay: Double
    /// The averaged parameters (empty before the first update), in `Sequential.parameters` order.
    public private(set) var average: [Tensor] = []
    /// Number of updates averaged.
    public private(set) var updates = 0

    public init(decay: Double = 0.999) {
        self.decay = decay.isFinite ? min(max(decay, 0), 0.999_999) : 0.999
    }

    /// β of update number `t` (1-based).
    public func weight(ofPastAtUpdate t: Int) -> Double {
        min(decay, Double(1 + t) / Double(10 + t))
    }

    public func didUpdate(step: Int, parameters: [Tensor]) {
        updates += 1
        guard average.count == parameters.count, zip(average, parameters).allSatisfy({ $0.shape == $1.shape }) else {
            average = parameters
            return
        }
        let beta = Float(weight(ofPastAtUpdate: updates)), w = 1 - beta
        for k in average.indices {
            let p = parameters[k].storage
            average[k].storage.withUnsafeMutableBufferPointer { a in
                for i in 0..<a.count { a[i] = beta * a[i] + w * p[i] }
            }
        }
    }

    /// Replaces `model`'s parameters by the average (no-op before the first update or on a shape mismatch).
    /// - Returns: true when the model now holds the averaged parameters.
    @discardableResult
    public func copy(into model: Sequential) -> Bool {
        let current = model.parameters
        guard !average.isEmpty, average.count == current.count,
              zip(average, current).allSatisfy({ $0.shape == $1.shape }) else { return false }
        model.parameters = average
        return true
    }
}
