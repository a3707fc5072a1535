import Foundation
import PrivateLearning

/// Inverted dropout (Keras semantics): during training each element is kept with
/// probability `1 − rate` and scaled by `1/(1 − rate)`; at inference it is the identity.
///
/// The mask is drawn independently for every element of every example, so example `i`'s
/// output depends only on example `i` and on the mask: per-example clipping stays valid.
/// The mask's randomness is not a privacy mechanism (DP comes from clipping and noise), so it
/// may be seeded; without a seed one is drawn from the model's initialisation generator.
public final class Dropout: Layer {
    public let typeName = "dropout"
    /// Fraction of elements dropped during training, in [0, 1).
    public let rate: Float
    /// Seed of the mask generator; nil draws it when the layer is built.
    public let seed: UInt64?
    public var parameters: [Tensor] = []

    var inputShape: [Int] = []
    var generator: SeededRandomSource?
    /// Per-example mask pattern used instead of random draws (for conformance checks).
    var fixedMask: [Float]?
    /// Serialises mask draws: the generator is the layer's only mutable state, so threads
    /// running the model on different slices take turns drawing their masks.
    private let generatorLock = NSLock()

    /// - Parameters:
    ///   - rate: fraction of elements set to zero during training, in [0, 1).
    ///   - seed: mask generator seed (no privacy role).
    public init(rate: Float, seed: UInt64? = nil) {
        precondition(rate >= 0 && rate < 1, "dropout: rate in [0, 1)")
        self.rate = rate
        self.seed = seed
    }

    public var configuration: PluginParameters {
        var c: PluginParameters = ["rate": .decimal(rate)]
        if let seed { c["seed"] = .int(Int(truncatingIfNeeded: seed)) }
        return c
    }

    public func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
        self.inputShape = inputShape
        self.generator = SeededRandomSource(seed: seed ?? generator.next())
        return inputShape
    }

    /// Uses `keep` (1 = keep, 0 = drop; one entry per feature of an example) for every
    /// example of every later training batch instead of random masks. Deterministic masks
    /// make `LayerConformance.check` and finite differences possible; nil restores random masks.
    public func fixMask(_ keep: [Float]?) {
        precondition(keep?.allSatisfy { $0 == 0 || $0 == 1 } ?? true, "dropout: mask entries are 0 or 1")
        fixedMask = keep
    }

    /// Saved by a training `forward`: the mask (already scaled by 1/(1 − rate)); empty = identity.
    struct Saved: Sendable { var mask: [Float] }

    public func forward(_ input: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        guard training, rate > 0 else { return (input, Saved(mask: [])) }
        let n = input.count, width = input.columns, scale = 1 / (1 - rate)
        var m = [Float](repeating: 0, count: n)
        if let fixedMask {
            precondition(fixedMask.count == width, "dropout: the fixed mask needs one entry per feature (\(width))")
            for i in 0..<n { m[i] = fixedMask[i % width] * scale }
        } else {
            // Keep iff a uniform 32-bit draw u satisfies u ≥ rate·2³² (probability 1 − rate).
            let threshold = UInt64((Double(rate) * 4294967296).rounded(.up))
            generatorLock.lock()
            defer { generatorLock.unlock() }
            var i = 0
            while i < n {
                let r = generator!.next()
                m[i] = (r & 0xffff_ffff) >= threshold ? scale : 0
                if i + 1 < n { m[i + 1] = (r >> 32) >= threshold ? scale : 0 }
                i += 2
            }
        }
        var out = input
        for i in 0..<n { out.storage[i] *= m[i] }
        return (out, Saved(mask: m))
    }

    public func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor {
        let mask = savedValue(saved, as: Saved.self, layer: typeName).mask
        guard !mask.isEmpty else { return outputGradient }
        precondition(mask.count == outputGradient.count, "dropout: backward batch differs from the forward batch")
        var g = outputGradient
        for i in 0..<g.count { g.storage[i] *= mask[i] }
        return g
    }

    /// No parameters (the generic fallback reports zero per-example norms).
    public func parameterGradients(outputGradient: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] { [] }
}
