/// Updates parameters along a gradient. Never sees per-example data: under DP-SGD the gradient
/// it receives is already clipped, noised and divided by the expected batch size, so any
/// optimizer works unchanged and costs no privacy (post-processing).
public protocol Optimizer: AnyObject {
    /// Registry name (`sgd`, `adam` …).
    var typeName: String { get }
    /// Configuration rebuilding this optimizer through its registry factory.
    var configuration: PluginParameters { get }
    /// One step. `parameters[k]` and `gradients[k]` have the same shape; the order of the list
    /// is fixed for the lifetime of the model, so optimizers may keep per-slot state.
    func update(parameters: inout [Tensor], gradients: [Tensor])
}
