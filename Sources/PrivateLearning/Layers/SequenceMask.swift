/// Which time steps of each example of a `[B, T, …]` batch are real (Keras masking, e.g. padding
/// id 0 of an `embedding` with `mask_zero`). `true` = the step counts; `false` = padding.
///
/// A mask is per-batch, never layer state: `Sequential` carries it from layer to layer beside the
/// activations, and a layer that needs it for its backward pass keeps it in its saved value. It
/// depends only on the example's own input, so it never mixes examples.
public struct SequenceMask: Sendable, Equatable {
    /// Steps per example (`T`).
    public let steps: Int
    /// `[B · T]`, example-major: `values[b · T + t]`.
    public let values: [Bool]

    public init(steps: Int, values: [Bool]) {
        precondition(steps > 0 && values.count % steps == 0, "sequence mask: whole examples of \(steps) steps")
        self.steps = steps
        self.values = values
    }

    /// Examples in the batch.
    public var batchSize: Int { values.count / steps }

    /// `values[b · T + t]`.
    @inline(__always)
    public func isReal(example b: Int, step t: Int) -> Bool { values[b &* steps &+ t] }

    /// The mask of examples `rows` (e.g. one slice of a batch).
    public func slicingExamples(_ rows: Range<Int>) -> SequenceMask {
        SequenceMask(steps: steps, values: Array(values[(rows.lowerBound * steps)..<(rows.upperBound * steps)]))
    }

    /// The same mask with each example's steps in reverse order (the backward half of `bidirectional`).
    public func reversedInTime() -> SequenceMask {
        var out = values
        for b in 0..<batchSize {
            for t in 0..<steps { out[b &* steps &+ t] = values[b &* steps &+ (steps &- 1 &- t)] }
        }
        return SequenceMask(steps: steps, values: out)
    }

    /// The mask a layer that knows nothing about masks hands on: kept while its output still has
    /// the same leading step axis (`[B, T, …]`, e.g. dropout, activation), dropped otherwise
    /// (e.g. after `flatten`).
    public static func propagated(_ mask: SequenceMask?, through output: Tensor) -> SequenceMask? {
        guard let mask, output.rank >= 3, output.shape[1] == mask.steps, output.shape[0] == mask.batchSize else { return nil }
        return mask
    }
}

/// A layer that reads and/or produces a `SequenceMask` (Keras `compute_mask` / `mask=` argument).
///
/// `Sequential.forward` and `forwardRecording` call this instead of `forward(_:training:)` and pass
/// the mask of the previous layer (nil when there is none); the returned mask goes to the next
/// layer. `forward(_:training:)` must equal `forward(_:mask: nil, training:)`'s output and saved
/// value. Whatever `backward` and `parameterGradients` need of the mask goes into the saved value,
/// so the layer stays stateless and the `Tape` needs nothing new.
public protocol SequenceMaskingLayer: Layer {
    func forward(_ input: Tensor, mask: SequenceMask?, training: Bool) -> (output: Tensor, saved: any Sendable, mask: SequenceMask?)
}

extension Layer {
    /// Forward pass with the incoming mask: mask-aware layers use it (and say what mask follows),
    /// other layers ignore it and hand it on per `SequenceMask.propagated`.
    public func forwardPassingMask(_ input: Tensor, mask: SequenceMask?, training: Bool) -> (output: Tensor, saved: any Sendable, mask: SequenceMask?) {
        if let masking = self as? any SequenceMaskingLayer { return masking.forward(input, mask: mask, training: training) }
        let (y, saved) = forward(input, training: training)
        return (y, saved, SequenceMask.propagated(mask, through: y))
    }
}
