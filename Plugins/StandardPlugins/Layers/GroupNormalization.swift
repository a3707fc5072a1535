import PrivateLearning

/// Keras `GroupNormalization` (Wu & He 2018) over channels-last inputs: the channels are split
/// into `groups`, and each example's group is normalised with its own mean and variance over the
/// positions and channels of the group, then scaled by `gamma[c]` and shifted by `beta[c]`.
/// Statistics never cross examples, so it is DP-safe — the replacement for batch normalisation in
/// image models. Registered norm sampler: the per-example gradients are only `2C` wide.
public final class GroupNormalization: Layer {
    public let typeName = "group_normalization"
    /// Number of groups; -1 means one group per channel (instance normalisation), as Keras.
    public let groups: Int
    public let epsilon: Float
    public let center: Bool
    public let scale: Bool
    public let gammaInitializer: Initializer
    public let betaInitializer: Initializer
    /// `[gamma [C]` when `scale`, `beta [C]` when `center`].
    public var parameters: [Tensor] = []
    private var inputShape: [Int] = []
    public private(set) var resolvedGroups = 0

    struct Saved: Sendable { var kernel: GroupNormalizationKernels.Saved; var batch: Int }

    public init(groups: Int = 32, epsilon: Float = 1e-3, center: Bool = true, scale: Bool = true,
                gammaInitializer: Initializer = .ones, betaInitializer: Initializer = .zeros) {
        self.groups = groups
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.gammaInitializer = gammaInitializer
        self.betaInitializer = betaInitializer
    }

    public var configuration: PluginParameters {
        ["groups": .int(groups), "epsilon": .double(Double(epsilon)), "center": .bool(center), "scale": .bool(scale),
         "gamma_initializer": .string(gammaInitializer.rawValue), "beta_initializer": .string(betaInitializer.rawValue)]
    }

    func resolve(_ inputShape: [Int], index: Int) throws -> Int {
        guard let channels = inputShape.last, channels > 0, LayerShapePlan.elementCount(inputShape) != nil,
              inputShape.allSatisfy({ $0 > 0 }) else {
            throw PrivateLearningError.incompatibleShape(layer: typeName, index: index, inputShape: inputShape,
                                                         reason: "group_normalization needs a channels-last input")
        }
        let g = groups == -1 ? channels : groups
        guard g > 0, g <= channels, channels % g == 0 else {
            throw PrivateLearningError.incompatibleShape(layer: typeName, index: index, inputShape: inputShape,
                                                         reason: "groups (\(groups)) must divide the \(channels) channels")
        }
        return g
    }

    public func plannedShapes(inputShape: [Int], index: Int) throws -> LayerShapePlan? {
        _ = try resolve(inputShape, index: index)
        let c = inputShape.last!
        return LayerShapePlan(outputShape: inputShape, parameterShapes: (scale ? [[c]] : []) + (center ? [[c]] : []))
    }

    public func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
        resolvedGroups = try resolve(inputShape, index: index)
        self.inputShape = inputShape
        let c = inputShape.last!
        parameters = []
        if scale { parameters.append(Tensor(shape: [c], values: gammaInitializer.values(count: c, fanIn: c, fanOut: c, using: &generator))) }
        if center { parameters.append(Tensor(shape: [c], values: betaInitializer.values(count: c, fanIn: c, fanOut: c, using: &generator))) }
        return inputShape
    }

    var channels: Int { inputShape.last! }
    var positions: Int { inputShape.dropLast().reduce(1, *) }
    var gamma: [Float]? { scale ? parameters[0].storage : nil }
    var beta: [Float]? { center ? parameters[scale ? 1 : 0].storage : nil }

    public func forward(_ x: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        let b = x.rows
        let (y, saved) = GroupNormalizationKernels.forward(x.storage, batch: b, positions: positions, channels: channels,
                                                           groups: resolvedGroups, epsilon: epsilon, gamma: gamma, beta: beta)
        return (Tensor(shape: [b] + inputShape, values: y), Saved(kernel: saved, batch: b))
    }

    public func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        let dx = GroupNormalizationKernels.inputGradient(outputGradient.storage, saved: s.kernel, batch: s.batch, positions: positions,
                                                         channels: channels, groups: resolvedGroups, gamma: gamma)
        return Tensor(shape: [s.batch] + inputShape, values: dx)
    }

    public func parameterGradients(outputGradient: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        var g = outputGradient.storage
        if let w = exampleWeights {
            // Examples of weight 0 contribute exactly nothing (no NaN · 0).
            let width = positions * channels
            for i in w.indices where w[i] == 0 { for k in (i * width)..<((i + 1) * width) { g[k] = 0 } }
        }
        var saved = s.kernel
        if let w = exampleWeights, w.contains(0) {
            let width = positions * channels
            for i in w.indices where w[i] == 0 { for k in (i * width)..<((i + 1) * width) { saved.normalized[k] = 0 } }
        }
        let grads = GroupNormalizationKernels.parameterGradients(g, saved: saved, batch: s.batch, positions: positions, channels: channels,
                                                                 scale: scale, center: center, exampleWeights: exampleWeights)
        return [grads.gamma, grads.beta].compactMap { $0.map { Tensor(shape: [channels], values: $0) } }
    }

    /// Registered norm sampler: `‖Σ_{i∈u} g_i‖²` over gamma and beta for every privacy unit.
    public static func squaredNorms(_ layer: GroupNormalization, _ input: NormSamplerInput) -> [Float] {
        let s = savedValue(input.saved, as: Saved.self, layer: layer.typeName)
        return GroupNormalizationKernels.squaredGradientNorms(input.outputGradient.storage, saved: s.kernel, batch: s.batch,
                                                              positions: layer.positions, channels: layer.channels,
                                                              scale: layer.scale, center: layer.center,
                                                              units: input.units.unitOfRow, unitCount: input.units.count)
    }
}
