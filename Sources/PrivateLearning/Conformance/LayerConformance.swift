import Foundation

/// Result of `LayerConformance.check`: every failed property, described without data values
/// beyond the synthetic test inputs.
public struct LayerConformanceReport: Sendable, Equatable, CustomStringConvertible {
    /// Registry or type name of the checked layer.
    public var layer: String
    /// One line per violated property; empty when the layer conforms.
    public var failures: [String] = []
    /// Largest relative error seen per property, for diagnostics.
    public var maxRelativeErrors: [String: Float] = [:]

    public var passed: Bool { failures.isEmpty }

    public var description: String {
        passed ? "\(layer): conforms" : "\(layer): \(failures.count) failure(s)\n" + failures.joined(separator: "\n")
    }
}

/// Checks that a layer is correct for DP-SGD, for plugin authors and our own tests.
///
/// On a random synthetic batch it compares, against a one-example-at-a-time computation:
/// - forward rows (a layer whose example `i` output depends on other examples fails, unless
///   it declares `mixesExamples`);
/// - example isolation by perturbation (`ExampleIsolationCheck`): changing one example's input
///   or output gradient moves no other example's output or gradients;
/// - each example's gradient from one-hot `parameterGradients(exampleWeights:)`;
/// - the norm sampler registered for the layer's type in `registry` (else the fallback), per
///   example and with privacy units of several rows (`‖Σ_{i∈u} g_i‖²`);
/// - weighted sums for every reduction: sum (all ones), mean (all 1/B) and random weights;
/// - statelessness: backward and gradients from a saved value are unchanged by another batch's
///   forward pass in between (so threads can share the layer);
/// - parameter and input gradients against central finite differences (optional).
public enum LayerConformance {
    /// - Parameters:
    ///   - makeLayer: creates a fresh, unbuilt layer (called several times).
    ///   - inputShape: per-example input shape.
    ///   - batchSize: examples in the synthetic batch.
    ///   - relativeTolerance: for exact identities (norms, sums); 1e-4 by default.
    ///   - finiteDifferences: also compare against central differences (deterministic layers).
    ///   - inputs: a batch to use instead of standard-normal inputs (e.g. integer token ids for
    ///     an embedding); its row count overrides `batchSize`.
    ///   - inputFiniteDifferences: also check the input gradient by finite differences (turn
    ///     off for discrete inputs).
    ///   - registry: where the layer's norm sampler is registered (an empty registry checks the
    ///     generic fallback).
    public static func check(_ makeLayer: () throws -> any Layer, inputShape: [Int], batchSize: Int = 6,
                             seed: UInt64 = 1, relativeTolerance: Float = 1e-4,
                             finiteDifferences: Bool = true, inputs: Tensor? = nil,
                             inputFiniteDifferences: Bool = true,
                             registry: PluginRegistry = PluginRegistry()) throws -> LayerConformanceReport {
        let batchSize = inputs?.rows ?? batchSize
        let rng = SeededRandomSource(seed: seed)
        var g: any RandomNumberGenerator = SeededRandomSource(seed: seed &+ 1)
        let layer = try makeLayer()
        let outShape = try layer.build(inputShape: inputShape, index: 0, using: &g)
        var report = LayerConformanceReport(layer: layer.typeName)
        let perIn = inputShape.reduce(1, *), perOut = outShape.reduce(1, *)
        var gen = rng
        let x = inputs ?? Tensor(shape: [batchSize] + inputShape,
                                 values: (0..<(batchSize * perIn)).map { _ in Float(GaussianSampling.standardNormal(using: &gen)) })
        precondition(x.count == batchSize * perIn, "inputs do not match inputShape \(inputShape)")
        let r = Tensor(shape: [batchSize] + outShape,
                       values: (0..<(batchSize * perOut)).map { _ in Float(GaussianSampling.standardNormal(using: &gen)) })

        func note(_ property: String, _ a: [Float], _ b: [Float], tolerance: Float, absolute: Float = 1e-6) {
            var worst: Float = 0
            for (u, v) in zip(a, b) {
                let err = abs(u - v) / max(abs(u), abs(v), absolute / tolerance)
                worst = max(worst, err)
            }
            report.maxRelativeErrors[property] = max(report.maxRelativeErrors[property] ?? 0, worst)
            if a.count != b.count || worst > tolerance || worst.isNaN {
                if !report.failures.contains(where: { $0.hasPrefix(property) }) {
                    report.failures.append("\(property): relative error \(worst) > \(tolerance)")
                }
            }
        }

        // Batch pass.
        let (y, saved) = layer.forward(x, training: true)
        let dx = layer.backward(r, saved: saved)
        let materialized = materializedPerExampleGradients(of: layer, outputGradient: r, saved: saved)
        let sumGrads = layer.parameterGradients(outputGradient: r, saved: saved, exampleWeights: nil)
        let meanGrads = layer.parameterGradients(outputGradient: r, saved: saved,
                                                 exampleWeights: [Float](repeating: 1 / Float(batchSize), count: batchSize))
        let w = (0..<batchSize).map { _ in Float(GaussianSampling.openUniform(using: &gen)) }
        let weighted = layer.parameterGradients(outputGradient: r, saved: saved, exampleWeights: w)
        let perExample = PrivacyUnits(rowCount: batchSize)
        let norms = perUnitSquaredGradientNorms(of: layer, NormSamplerInput(saved: saved, outputGradient: r, units: perExample),
                                                registry: registry)
        // Units of several rows, not contiguous: rows 0, 2, 4… form unit 0, the others one unit each.
        let unitOfRow = (0..<batchSize).map { $0 % 2 == 0 ? 0 : 1 + $0 / 2 }
        let grouped = PrivacyUnits(unitOfRow: unitOfRow, count: 1 + batchSize / 2)
        let groupedNorms = perUnitSquaredGradientNorms(of: layer, NormSamplerInput(saved: saved, outputGradient: r, units: grouped),
                                                       registry: registry)

        // Statelessness: another batch's forward pass in between must not change what this batch's
        // saved value gives (a layer that caches batch state instead of returning it fails here,
        // and could not run on several threads).
        let other = Tensor(shape: x.shape, values: x.storage.reversed())
        _ = layer.forward(other, training: true)
        note("stateless: backward from the saved value after another forward pass", layer.backward(r, saved: saved).storage,
             dx.storage, tolerance: relativeTolerance)
        note("stateless: gradients from the saved value after another forward pass",
             layer.parameterGradients(outputGradient: r, saved: saved, exampleWeights: nil).flatMap(\.storage),
             sumGrads.flatMap(\.storage), tolerance: relativeTolerance)

        // One example at a time.
        var single: [[Tensor]] = []
        for i in 0..<batchSize {
            let xi = x.gatheringRows([i]), ri = r.gatheringRows([i])
            let (yi, savedi) = layer.forward(xi, training: true)
            if !layer.mixesExamples {
                note("forward row \(i) equals single-example forward", y.gatheringRows([i]).storage, yi.storage, tolerance: relativeTolerance)
            }
            let dxi = layer.backward(ri, saved: savedi)
            note("input gradient row \(i) equals single-example backward", dx.gatheringRows([i]).storage, dxi.storage, tolerance: relativeTolerance)
            single.append(layer.parameterGradients(outputGradient: ri, saved: savedi, exampleWeights: nil))
        }
        if layer.mixesExamples { return report }
        // Perturbation check (issue 11, item 5): one example's input or output gradient must not
        // move any other example's output or gradients. Run on every layer, vetted or not.
        if let why = ExampleIsolationCheck.violation(of: layer, inputShape: inputShape, inputs: inputs) {
            report.failures.append("example isolation: \(why), but the layer does not declare mixesExamples")
        }
        for i in 0..<batchSize {
            note("per-example gradient (one-hot weights) equals single-example gradient",
                 materialized[i].flatMap(\.storage), single[i].flatMap(\.storage), tolerance: relativeTolerance)
        }
        let singleNorms = single.map { $0.reduce(Float(0)) { $0 + $1.squaredNorm() } }
        let fast = registry.normSampler(for: layer) != nil
        note(fast ? "registered norm sampler, per-example squared norms" : "fallback per-example squared norms",
             norms, singleNorms, tolerance: relativeTolerance)
        var unitNorms: [Float] = []
        for u in 0..<grouped.count {
            var sum = layer.parameters.map { [Float](repeating: 0, count: $0.count) }
            for i in grouped.rows(of: u) {
                for k in sum.indices { for j in sum[k].indices { sum[k][j] += single[i][k].storage[j] } }
            }
            unitNorms.append(sum.reduce(Float(0)) { acc, v in acc + v.reduce(Float(0)) { $0 + $1 * $1 } })
        }
        note(fast ? "registered norm sampler, per-unit squared norms" : "fallback per-unit squared norms",
             groupedNorms, unitNorms, tolerance: relativeTolerance * 10, absolute: 1e-5)
        for (name, weights, grads) in [("reduction sum", [Float](repeating: 1, count: batchSize), sumGrads),
                                       ("reduction mean", [Float](repeating: 1 / Float(batchSize), count: batchSize), meanGrads),
                                       ("random example weights", w, weighted)] {
            var expected = layer.parameters.map { [Float](repeating: 0, count: $0.count) }
            for i in 0..<batchSize {
                for k in expected.indices {
                    for j in expected[k].indices { expected[k][j] += weights[i] * single[i][k].storage[j] }
                }
            }
            note(name, grads.flatMap(\.storage), expected.flatMap { $0 }, tolerance: relativeTolerance * 10, absolute: 1e-5)
        }

        guard finiteDifferences else { return report }
        // Finite differences of L = Σ r ⊙ forward(x) (Double accumulation).
        func objective() -> Double {
            let out = layer.forward(x, training: true).output
            var s = 0.0
            for j in 0..<out.count { s += Double(out.storage[j]) * Double(r.storage[j]) }
            return s
        }
        let fdTol: Float = 2e-2
        var params = layer.parameters
        for k in params.indices {
            let count = params[k].count
            let picks = count <= 12 ? Array(0..<count) : (0..<12).map { _ in Int(gen.next() % UInt64(count)) }
            var fd: [Float] = [], an: [Float] = []
            for j in picks {
                let orig = params[k].storage[j]
                let h = max(1e-2, abs(orig) * 1e-2)
                params[k].storage[j] = orig + h; layer.parameters = params
                let up = objective()
                params[k].storage[j] = orig - h; layer.parameters = params
                let down = objective()
                params[k].storage[j] = orig; layer.parameters = params
                fd.append(Float((up - down) / (2 * Double(h))))
                an.append(sumGrads[k].storage[j])
            }
            note("parameter \(k) gradient vs finite differences", an, fd, tolerance: fdTol, absolute: 1e-3)
        }
        guard inputFiniteDifferences else { return report }
        var xp = x
        let picks = (0..<min(12, x.count)).map { _ in Int(gen.next() % UInt64(x.count)) }
        var fd: [Float] = [], an: [Float] = []
        func objective(_ input: Tensor) -> Double {
            let out = layer.forward(input, training: true).output
            var s = 0.0
            for j in 0..<out.count { s += Double(out.storage[j]) * Double(r.storage[j]) }
            return s
        }
        for j in picks {
            let orig = xp.storage[j]
            let h: Float = 1e-2
            xp.storage[j] = orig + h; let up = objective(xp)
            xp.storage[j] = orig - h; let down = objective(xp)
            xp.storage[j] = orig
            fd.append(Float((up - down) / (2 * Double(h))))
            an.append(dx.storage[j])
        }
        note("input gradient vs finite differences", an, fd, tolerance: fdTol, absolute: 1e-3)
        return report
    }
}
