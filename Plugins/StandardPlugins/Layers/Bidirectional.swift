import PrivateLearning

/// Keras `Bidirectional` around a `gru` or `lstm` (`merge_mode: concat`): one copy reads the
/// sequence forwards, another reads it backwards, and their outputs are concatenated per step
/// (`[T, 2u]` with `return_sequences`, else `[2u]`). With `return_sequences` the backward copy's
/// outputs are put back in time order, and padding steps output 0 (Keras). Masks are reversed with
/// the sequence, so padding at the end is skipped by both directions.
///
/// Parameters: the forward layer's, then the backward layer's (Keras' weight order). Per-example
/// norms: the sum of the two layers' squared norms (registered sampler).
public final class Bidirectional: SequenceMaskingLayer {
    public let typeName = "bidirectional"
    public let forwardLayer: Recurrent
    public let backwardLayer: Recurrent
    public var returnSequences: Bool { forwardLayer.returnSequences }

    public struct Saved: Sendable {
        public var forward: any Sendable
        public var backward: any Sendable
        public var batch: Int
    }

    /// - Parameters: two layers of the same configuration, the second to read the sequence
    ///   backwards; with `returnSequences` both should have `zeroOutputForMask` (Keras).
    public init(forward: Recurrent, backward: Recurrent) {
        precondition(forward.configuration == backward.configuration && forward.cell == backward.cell,
                     "bidirectional: both directions need the same configuration")
        forwardLayer = forward
        backwardLayer = backward
    }

    public var configuration: PluginParameters {
        var c = forwardLayer.configuration
        c["layer"] = .string(forwardLayer.typeName)
        c["merge_mode"] = .string("concat")
        return c
    }

    public var parameters: [Tensor] {
        get { forwardLayer.parameters + backwardLayer.parameters }
        set {
            if newValue.isEmpty { forwardLayer.parameters = []; backwardLayer.parameters = []; return }
            let n = newValue.count / 2
            forwardLayer.parameters = Array(newValue[..<n])
            backwardLayer.parameters = Array(newValue[n...])
        }
    }

    public func plannedShapes(inputShape: [Int], index: Int) throws -> LayerShapePlan? {
        guard let plan = try forwardLayer.plannedShapes(inputShape: inputShape, index: index) else { return nil }
        var out = plan.outputShape
        out[out.count - 1] *= 2
        return LayerShapePlan(outputShape: out, parameterShapes: plan.parameterShapes + plan.parameterShapes)
    }

    public func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
        var out = try forwardLayer.build(inputShape: inputShape, index: index, using: &generator)
        _ = try backwardLayer.build(inputShape: inputShape, index: index, using: &generator)
        out[out.count - 1] *= 2
        return out
    }

    /// `[B, T, C]` with the steps of each example in reverse order.
    static func reversedInTime(_ x: [Float], batch: Int, steps: Int, width: Int) -> [Float] {
        var out = x
        for b in 0..<batch {
            for t in 0..<steps {
                let src = (b * steps + steps - 1 - t) * width, dst = (b * steps + t) * width
                for j in 0..<width { out[dst + j] = x[src + j] }
            }
        }
        return out
    }

    public func forward(_ input: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        let r = forward(input, mask: nil, training: training)
        return (r.output, r.saved)
    }

    public func forward(_ input: Tensor, mask: SequenceMask?, training: Bool) -> (output: Tensor, saved: any Sendable, mask: SequenceMask?) {
        let b = input.rows, t = forwardLayer.steps, n = forwardLayer.inputFeatures, u = forwardLayer.units
        let f = forwardLayer.forward(input, mask: mask, training: training)
        let reversed = Tensor(shape: [b, t, n], values: Self.reversedInTime(input.storage, batch: b, steps: t, width: n))
        let r = backwardLayer.forward(reversed, mask: mask.map { $0.steps == t && $0.batchSize == b ? $0.reversedInTime() : $0 }, training: training)
        let rows = returnSequences ? b * t : b
        let back = returnSequences ? Self.reversedInTime(r.output.storage, batch: b, steps: t, width: u) : r.output.storage
        var out = [Float](repeating: 0, count: rows * 2 * u)
        for k in 0..<rows {
            for j in 0..<u {
                out[k * 2 * u + j] = f.output.storage[k * u + j]
                out[k * 2 * u + u + j] = back[k * u + j]
            }
        }
        let shape = returnSequences ? [b, t, 2 * u] : [b, 2 * u]
        return (Tensor(shape: shape, values: out), Saved(forward: f.saved, backward: r.saved, batch: b), f.mask)
    }

    /// The output gradient split into the forward layer's and the backward layer's (the latter in
    /// its own, reversed, time order).
    func split(_ outputGradient: Tensor, batch b: Int) -> (forward: Tensor, backward: Tensor) {
        let t = forwardLayer.steps, u = forwardLayer.units
        let rows = returnSequences ? b * t : b
        precondition(outputGradient.count == rows * 2 * u, "bidirectional: output gradient does not match the forward batch")
        var fg = [Float](repeating: 0, count: rows * u), bg = fg
        let g = outputGradient.storage
        for k in 0..<rows {
            for j in 0..<u { fg[k * u + j] = g[k * 2 * u + j]; bg[k * u + j] = g[k * 2 * u + u + j] }
        }
        if returnSequences { bg = Self.reversedInTime(bg, batch: b, steps: t, width: u) }
        let shape = returnSequences ? [b, t, u] : [b, u]
        return (Tensor(shape: shape, values: fg), Tensor(shape: shape, values: bg))
    }

    public func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        let (fg, bg) = split(outputGradient, batch: s.batch)
        var dx = forwardLayer.backward(fg, saved: s.forward)
        let db = backwardLayer.backward(bg, saved: s.backward)
        let back = Self.reversedInTime(db.storage, batch: s.batch, steps: forwardLayer.steps, width: forwardLayer.inputFeatures)
        for k in 0..<dx.storage.count { dx.storage[k] += back[k] }
        return dx
    }

    public func parameterGradients(outputGradient: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        let (fg, bg) = split(outputGradient, batch: s.batch)
        return forwardLayer.parameterGradients(outputGradient: fg, saved: s.forward, exampleWeights: exampleWeights)
            + backwardLayer.parameterGradients(outputGradient: bg, saved: s.backward, exampleWeights: exampleWeights)
    }

    /// Registered norm sampler: both directions' squared norms, added per unit.
    public static func squaredNorms(_ layer: Bidirectional, _ input: NormSamplerInput) -> [Float] {
        let s = savedValue(input.saved, as: Saved.self, layer: layer.typeName)
        let (fg, bg) = layer.split(input.outputGradient, batch: s.batch)
        let a = Recurrent.squaredNorms(layer.forwardLayer, NormSamplerInput(saved: s.forward, outputGradient: fg, units: input.units))
        let b = Recurrent.squaredNorms(layer.backwardLayer, NormSamplerInput(saved: s.backward, outputGradient: bg, units: input.units))
        return zip(a, b).map { $0 + $1 }
    }
}
