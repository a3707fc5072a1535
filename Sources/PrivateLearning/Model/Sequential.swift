import Foundation

/// A stack of layers applied in order to batch-first tensors.
///
/// ```swift
/// let model = try Sequential(inputShape: [30]) {
///     Dense(16, activation: .relu)
///     Dense(1, activation: .sigmoid)
/// }
/// ```
/// Non-private training (`compile` + `fit`) exists for comparison; wrap the model in
/// `PrivateModel` for DP-SGD.
public final class Sequential {
    /// Per-example input shape (batch dimension excluded).
    public let inputShape: [Int]
    /// The layers, in order; `layers[i]` is what errors call `layers[i]`.
    public let layers: [any Layer]
    /// Per-example output shape of each layer, in order.
    public let layerOutputShapes: [[Int]]
    /// Per-example output shape of the model.
    public var outputShape: [Int] { layerOutputShapes.last ?? inputShape }

    /// Set by `compile` (non-private training only).
    public private(set) var optimizer: (any Optimizer)?
    public private(set) var loss: (any Loss)?
    public private(set) var metrics: [Metric] = []
    /// Threads of one non-private training step (`fit`): the batch is split into this many slices of
    /// rows, each run on its own core with one BLAS thread, the way `GradientPrivatizer` splits a
    /// private step; 1 = the one-thread path. Default: every core.
    public var trainingThreadCount: Int = ProcessInfo.processInfo.activeProcessorCount

    /// Builds every layer in order, creating parameters.
    /// - Parameters:
    ///   - inputShape: features per example, e.g. `[30]`.
    ///   - seed: seeds weight initialisation (initial weights are data-independent, so a seed
    ///     has no privacy cost); nil draws from the system generator.
    /// - Throws: `PrivateLearningError.incompatibleShape` naming the first layer that cannot
    ///   take its input.
    ///   - batchSize: examples per batch the model will train on, for the memory estimate.
    ///   - limits: resource limits checked from the shapes before each layer allocates its parameters.
    /// - Throws: also `PrivateLearningError.resourceLimitExceeded` naming the first layer that
    ///   would exceed `limits` (nothing of that layer is allocated).
    public init(inputShape: [Int], layers: [any Layer], seed: UInt64? = nil, batchSize: Int = 1,
                limits: ModelResourceLimits = .standard) throws {
        var generator: any RandomNumberGenerator = seed.map { SeededRandomSource(seed: $0) } ?? SystemRandomNumberGenerator()
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }), LayerShapePlan.elementCount(inputShape) != nil else {
            throw PrivateLearningError.incompatibleShape(layer: "input", index: 0, inputShape: inputShape,
                                                         reason: "the input shape needs positive extents whose product fits in an Int")
        }
        self.inputShape = inputShape
        self.layers = layers
        var estimate = ModelResourceEstimate(inputShape: inputShape, batchSize: batchSize)
        var shape = inputShape
        var shapes: [[Int]] = []
        for (i, layer) in layers.enumerated() {
            if let plan = try layer.plannedShapes(inputShape: shape, index: i) {
                try estimate.add(layer: layer.typeName, index: i, plan: plan, limits: limits)
                shape = try layer.build(inputShape: shape, index: i, using: &generator)
            } else {
                // A layer that cannot plan (third party) is built to learn its shapes, then checked.
                shape = try layer.build(inputShape: shape, index: i, using: &generator)
                try estimate.add(layer: layer.typeName, index: i,
                                 plan: LayerShapePlan(outputShape: shape, parameterShapes: layer.parameters.map(\.shape)),
                                 limits: limits)
            }
            shapes.append(shape)
        }
        layerOutputShapes = shapes
    }

    /// The training-memory estimate of this model at `batchSize` (see `ModelResourceEstimate`).
    public func resourceEstimate(batchSize: Int) -> ModelResourceEstimate {
        var estimate = ModelResourceEstimate(inputShape: inputShape, batchSize: batchSize)
        for (i, (layer, shape)) in zip(layers, layerOutputShapes).enumerated() {
            try? estimate.add(layer: layer.typeName, index: i,
                              plan: LayerShapePlan(outputShape: shape, parameterShapes: layer.parameters.map(\.shape)),
                              limits: .unlimited)
        }
        return estimate
    }

    /// Builds a model from layers listed in braces.
    public convenience init(inputShape: [Int], seed: UInt64? = nil, @LayerBuilder _ content: () -> [any Layer]) throws {
        try self.init(inputShape: inputShape, layers: content(), seed: seed)
    }

    /// Number of trainable scalars.
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

    /// All parameters, layer by layer, in the order optimizers see them.
    public var parameters: [Tensor] {
        get { layers.flatMap { $0.parameters } }
        set {
            var k = 0
            for layer in layers {
                let n = layer.parameters.count
                let slice = Array(newValue[k..<(k + n)])
                for (old, new) in zip(layer.parameters, slice) {
                    precondition(old.shape == new.shape, "parameter shape \(new.shape) does not match \(old.shape)")
                }
                layer.parameters = slice
                k += n
            }
            precondition(k == newValue.count, "parameter count mismatch")
        }
    }

    /// A Keras-like table: layer, output shape, parameter count.
    public var summary: String {
        var lines = ["Layer (type)                  Output shape      Params"]
        for (i, layer) in layers.enumerated() {
            let name = "layers[\(i)] (\(layer.typeName))"
            let shape = "\(["None"] + layerOutputShapes[i].map(String.init))"
            lines.append(name.padding(toLength: 30, withPad: " ", startingAt: 0)
                         + shape.padding(toLength: 18, withPad: " ", startingAt: 0) + "\(layer.parameterCount)")
        }
        lines.append("Total params: \(parameterCount)")
        return lines.joined(separator: "\n")
    }

    /// `x` with its per-example shape: a batch given flat (`[B, F]`, e.g. encoded columns) is
    /// viewed as `[B] + inputShape` (channels-last images `[B, H, W, C]`, sequences `[B, T, C]`).
    /// - Precondition: `x` holds `inputShape`'s element count per example.
    public func shapedInput(_ x: Tensor) -> Tensor {
        if x.rank >= 1, Array(x.shape.dropFirst()) == inputShape { return x }
        let per = inputShape.reduce(1, *)
        precondition(x.rank >= 1 && x.columns == per, "model: expected \(inputShape) (\(per) values) per example, got \(x.shape)")
        return x.reshaped([x.rows] + inputShape)
    }

    /// Forward pass through every layer (nothing recorded).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        var a = shapedInput(x)
        var mask: SequenceMask?
        for layer in layers { (a, _, mask) = layer.forwardPassingMask(a, mask: mask, training: training) }
        return a
    }

    /// Training forward pass that records every layer's saved value on a new tape.
    public func forwardRecording(_ x: Tensor) -> (output: Tensor, tape: Tape) {
        var a = shapedInput(x)
        var tape = Tape(batchSize: x.rows)
        tape.saved.reserveCapacity(layers.count)
        var mask: SequenceMask?      // Keras masking: handed from layer to layer, never stored in a layer
        for layer in layers {
            let (y, saved, nextMask) = layer.forwardPassingMask(a, mask: mask, training: true)
            tape.saved.append(saved)
            a = y
            mask = nextMask
        }
        return (a, tape)
    }

    /// Backward pass through every layer; records each layer's per-example output gradient on
    /// `tape` and returns the gradient with respect to the model input.
    /// - Parameter inputGradient: false stops at the first layer with parameters: the `backward` of
    ///   that layer and of the parameterless layers before it (e.g. a leading `reshape`) are skipped,
    ///   since training never needs the gradient with respect to the data (for a first convolution
    ///   it is a GEMM and a col2im); returns an empty tensor. The output gradients of layers with
    ///   parameters on the tape are the same either way (those of the skipped parameterless layers
    ///   are left empty: nothing reads them).
    @discardableResult
    public func backward(_ outputGradient: Tensor, tape: inout Tape, inputGradient: Bool = true) -> Tensor {
        precondition(tape.saved.count == layers.count, "backward: the tape does not come from this model's forwardRecording")
        var grads = [Tensor](repeating: Tensor(zeros: [0]), count: layers.count)
        var g = outputGradient
        let firstTrainable = inputGradient ? -1 : (layers.firstIndex { !$0.parameters.isEmpty } ?? layers.count)
        for k in layers.indices.reversed() {
            if k < firstTrainable { g = Tensor(zeros: [0]); break }
            grads[k] = g
            if k == firstTrainable { g = Tensor(zeros: [0]); break }
            g = layers[k].backward(g, saved: tape.saved[k])
        }
        tape.outputGradients = grads
        return g
    }

    /// Predictions for `x` (`[N] + inputShape`), computed `batchSize` rows at a time.
    public func predict(_ x: Tensor, batchSize: Int = 4096) -> Tensor {
        precondition(x.columns == inputShape.reduce(1, *), "predict: expected \(inputShape) values per example")
        if x.rows <= batchSize { return forward(x, training: false) }
        var out: [Float] = []
        var shape: [Int] = []
        var start = 0
        while start < x.rows {
            let end = min(start + batchSize, x.rows)
            let y = forward(x.slicingRows(start..<end), training: false)
            out.append(contentsOf: y.storage)
            shape = y.shape
            start = end
        }
        shape[0] = x.rows
        return Tensor(shape: shape, values: out)
    }

    /// `Σ_i w_i g_i` of every parameter from a recorded forward/backward pass (nil = all ones).
    public func parameterGradients(tape: Tape, exampleWeights: [Float]?) -> [Tensor] {
        var out: [Tensor] = []
        for (k, layer) in layers.enumerated() where !layer.parameters.isEmpty {
            out += layer.parameterGradients(outputGradient: tape.outputGradients[k], saved: tape.saved[k],
                                            exampleWeights: exampleWeights)
        }
        return out
    }

    /// `Σ_i w_i g_i` with one weight vector per layer (`weights[k]` for `layers[k]`; nil = ones),
    /// e.g. per-layer clip factors.
    public func parameterGradients(tape: Tape, layerWeights weights: [[Float]?]) -> [Tensor] {
        var out: [Tensor] = []
        for (k, layer) in layers.enumerated() where !layer.parameters.isEmpty {
            out += layer.parameterGradients(outputGradient: tape.outputGradients[k], saved: tape.saved[k],
                                            exampleWeights: weights[k])
        }
        return out
    }

    /// Squared per-unit gradient norms of every layer (`[layer][unit]`) from a recorded pass:
    /// registered norm samplers where `registry` has one, else the generic fallback.
    public func perUnitSquaredNorms(tape: Tape, units: PrivacyUnits, registry: PluginRegistry) -> [[Float]] {
        layers.indices.map { k in
            perUnitSquaredGradientNorms(of: layers[k], tape.normSamplerInput(layer: k, units: units), registry: registry)
        }
    }

    /// Hands `gradients` (one per parameter, in `parameters` order) to `optimizer`, without
    /// copying parameter storage.
    public func apply(gradients: [Tensor], optimizer: any Optimizer) {
        var flat: [Tensor] = []
        var counts: [Int] = []
        for layer in layers {
            counts.append(layer.parameters.count)
            flat.append(contentsOf: layer.parameters)
            layer.parameters = []            // drop the layer's reference: the update happens in place
        }
        optimizer.update(parameters: &flat, gradients: gradients)
        var k = 0
        for (layer, n) in zip(layers, counts) {
            layer.parameters = Array(flat[k..<(k + n)])
            k += n
        }
    }

    /// Sets the optimizer, loss and metrics used by `fit` and `evaluate`.
    public func compile(optimizer: any Optimizer, loss: any Loss, metrics: [Metric] = []) {
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
    }
}
