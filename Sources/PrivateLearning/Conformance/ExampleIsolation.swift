/// Marks layer types whose example isolation dpflow itself has vetted (its standard layers).
///
/// The protocol has `package` visibility: only modules of the dpflow package can conform, so a
/// third-party layer cannot claim it. Every other layer — including one that declares
/// `mixesExamples == false` — is checked empirically by `ExampleIsolationCheck` when a DP model
/// is built.
package protocol VettedExampleIsolation: Layer {}

/// Empirical check that a layer keeps the examples of a batch apart (issue 11, item 5).
///
/// On a small synthetic batch it perturbs example 0 — first its input, then its output
/// gradient — and requires that no other example's output, input gradient or per-example
/// parameter gradient moves. A layer whose training-mode pass is not reproducible on the same
/// batch cannot be checked and is refused as well. Inputs are synthetic (0/1 values, shifted for the perturbed example), never data.
public enum ExampleIsolationCheck {
    /// Examples in the synthetic batch.
    public static let batchSize = 4

    /// True when dpflow trusts the layer without the empirical check (its own vetted layers).
    public static func isVetted(_ layer: any Layer) -> Bool { layer is any VettedExampleIsolation }

    /// Why `layer` (already built for per-example `inputShape`) fails to keep examples apart,
    /// or nil when it keeps them apart. The layer's parameters are not changed.
    /// - Parameter inputs: a batch to use instead of the synthetic one (e.g. token ids); its
    ///   first row is the one perturbed (it takes the values of another row).
    public static func violation(of layer: any Layer, inputShape: [Int], inputs: Tensor? = nil) -> String? {
        guard let perIn = LayerShapePlan.elementCount(inputShape), perIn > 0, perIn <= 1 << 24 else {
            return "its input shape \(inputShape) is too large for the example-isolation check"
        }
        let rng = SeededRandomSource(seed: 0x15_0_1A7E)
        let b = inputs?.rows ?? batchSize
        guard b >= 2 else { return "the example-isolation check needs at least 2 examples" }
        let x = inputs ?? Tensor(shape: [b] + inputShape, values: (0..<(b * perIn)).map { _ in Float(rng.next() & 1) })
        guard x.count == b * perIn else { return "the inputs do not match the input shape \(inputShape)" }
        var xPerturbed = x
        if inputs == nil {
            // Shifted by 1 + j/perIn: every coordinate and every sum over coordinates changes.
            for j in 0..<perIn { xPerturbed.storage[j] = x.storage[j] + 1 + Float(j) / Float(perIn) }
        } else {
            // Given inputs (e.g. token ids) may have a restricted domain: example 0 takes the
            // values of another example that differs from it.
            guard let other = (1..<b).first(where: { r in (0..<perIn).contains { x.storage[r * perIn + $0] != x.storage[$0] } }) else {
                return nil   // all examples equal: nothing to perturb within the given domain
            }
            for j in 0..<perIn { xPerturbed.storage[j] = x.storage[other * perIn + j] }
        }
        let probe = layer.forward(x, training: true).output
        let perOut = probe.rows > 0 ? probe.count / probe.rows : 0
        let g = Tensor(shape: probe.shape, values: (0..<probe.count).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1000 })
        var gPerturbed = g
        for j in 0..<min(perOut, g.count) { gPerturbed.storage[j] = -g.storage[j] + 0.5 }

        struct Pass { var output: [Float]; var inputGradient: [Float]; var perExample: [[Float]] }
        func run(_ input: Tensor, _ gradient: Tensor) -> Pass {
            let (y, saved) = layer.forward(input, training: true)
            let dx = layer.backward(gradient, saved: saved)
            let grads = materializedPerExampleGradients(of: layer, outputGradient: gradient, saved: saved).map { $0.flatMap(\.storage) }
            return Pass(output: y.storage, inputGradient: dx.storage, perExample: grads)
        }
        func rows(_ v: [Float], _ width: Int) -> ArraySlice<Float> {
            v.count >= b * width ? v[width..<(b * width)] : v[...]   // examples 1..<b
        }
        func same(_ a: ArraySlice<Float>, _ c: ArraySlice<Float>) -> Bool {
            guard a.count == c.count else { return false }
            for (u, v) in zip(a, c) where !(abs(u - v) <= 1e-6 * max(1, abs(u), abs(v))) { return false }
            return true
        }
        func unchanged(_ p: Pass, _ q: Pass, checkOutput: Bool) -> String? {
            if checkOutput, !same(rows(p.output, perOut), rows(q.output, perOut)) { return "outputs" }
            if !same(rows(p.inputGradient, perIn), rows(q.inputGradient, perIn)) { return "input gradients" }
            guard p.perExample.count == b, q.perExample.count == b else { return "per-example gradients" }
            for i in 1..<b where !same(p.perExample[i][...], q.perExample[i][...]) { return "per-example gradients" }
            return nil
        }
        let base = run(x, g)
        let again = run(x, g)
        if unchanged(base, again, checkOutput: true) != nil || !same(base.output[...], again.output[...]) {
            return "its training-mode pass is not reproducible on the same batch, so example isolation cannot be verified"
        }
        if let what = unchanged(base, run(xPerturbed, g), checkOutput: true) {
            return "changing one example's input changed other examples' \(what)"
        }
        if let what = unchanged(base, run(x, gPerturbed), checkOutput: false) {
            return "changing one example's output gradient changed other examples' \(what)"
        }
        return nil
    }
}

extension Sequential {
    /// Layers a DP model must refuse: those that declare `mixesExamples`, and those (not vetted
    /// by dpflow) that fail `ExampleIsolationCheck`. Each entry names the layer and, for a layer
    /// found by the check, what moved (nil for a layer that declares `mixesExamples`).
    public func exampleMixingLayers() -> [(index: Int, layer: String, reason: String?)] {
        var found: [(index: Int, layer: String, reason: String?)] = []
        for (i, layer) in layers.enumerated() {
            if layer.mixesExamples {
                found.append((i, layer.typeName, nil))
            } else if !ExampleIsolationCheck.isVetted(layer) {
                let shape = i == 0 ? inputShape : layerOutputShapes[i - 1]
                if let why = ExampleIsolationCheck.violation(of: layer, inputShape: shape) {
                    found.append((i, layer.typeName, why + " (it does not declare mixesExamples)"))
                }
            }
        }
        return found
    }
}
