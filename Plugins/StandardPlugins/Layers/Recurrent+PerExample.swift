import PrivateLearning

extension Recurrent {
    /// Registered norm sampler: `‖Σ_{i∈u} g_i‖²` over kernel, recurrent kernel and bias for every
    /// privacy unit, never materialising a per-example gradient of the batch.
    ///
    /// Both weights are shared over the `T` steps: a unit's kernel gradient is `Σ_t a_t δ_tᵀ` over
    /// its `n = |u|·T` rows (`a` = `x_t` for the kernel, `h_{t−1}` for the recurrent kernel). Its
    /// squared norm is the ghost norm `Σ_{t,s}(a_t·a_s)(δ_t·δ_s)` (two `n × n` Gram matrices) or the
    /// squared entries of the unit's `D × G·u` gradient (one GEMM), whichever costs less
    /// (`ConvolutionKernels.prefersGhostNorm`). Bias: the squared norm of the unit's summed `δ` rows.
    public static func squaredNorms(_ layer: Recurrent, _ input: NormSamplerInput) -> [Float] {
        let s = savedValue(input.saved, as: Saved.self, layer: layer.typeName)
        let d = layer.deltas(input.outputGradient, s)
        let t = layer.steps, gu = layer.gateCount * layer.units
        let groups = PrivacyUnitGroups(batch: s.batch, units: input.units.unitOfRow, unitCount: input.units.count)
        var norms = [Double](repeating: 0, count: groups.count)
        if layer.useBias {
            // Per example: Σ_t δx_t (and Σ_t δh_t for the GRU's recurrent bias).
            let width = layer.cell == .lstm ? gu : 2 * gu
            var sums = [Float](repeating: 0, count: s.batch * width)
            for i in 0..<s.batch {
                let a = columnSums(d.input, rows: t, columns: gu, offset: i * t * gu)
                for j in 0..<gu { sums[i * width + j] = a[j] }
                if layer.cell == .gru {
                    let r = columnSums(d.recurrent, rows: t, columns: gu, offset: i * t * gu)
                    for j in 0..<gu { sums[i * width + gu + j] = r[j] }
                }
            }
            norms = groups.squaredNormsOfSums(sums, width: width)
        }
        var scratch = SharedWeightNormScratch()
        for (u, rows) in groups.members.enumerated() where !rows.isEmpty {
            norms[u] += scratch.squaredNorm(activations: s.inputs, width: layer.inputFeatures, deltas: d.input, deltaWidth: gu,
                                            examples: rows, stepsPerExample: t)
            norms[u] += scratch.squaredNorm(activations: s.previous, width: layer.units, deltas: d.recurrent, deltaWidth: gu,
                                            examples: rows, stepsPerExample: t)
        }
        return norms.map { Float($0) }
    }
}

/// `‖Σ_{rows} a_r δ_rᵀ‖²` for a weight shared over the steps of a group of examples, by the ghost
/// norm or directly, whichever is cheaper; reuses its scratch buffers across calls.
struct SharedWeightNormScratch {
    var gather = [Float](), gatherDelta = [Float]()
    var gramA = [Float](), gramG = [Float](), gradient = [Float]()

    /// - Parameters: `activations` `[B, T, width]`, `deltas` `[B, T, deltaWidth]` (example-major);
    ///   `examples` the rows of the group.
    mutating func squaredNorm(activations: [Float], width d: Int, deltas: [Float], deltaWidth f: Int,
                              examples: [Int], stepsPerExample t: Int) -> Double {
        let n = examples.count * t
        guard n > 0, d > 0, f > 0 else { return 0 }
        if ConvolutionKernels.prefersGhostNorm(rows: n, patchSize: d, filters: f) {
            if examples.count == 1 {
                let e = examples[0]
                return activations.withUnsafeBufferPointer { a in deltas.withUnsafeBufferPointer { g in
                    ghost(a.baseAddress! + e * t * d, g.baseAddress! + e * t * f, n: n, d: d, f: f)
                } }
            }
            gather.removeAll(keepingCapacity: true)
            gatherDelta.removeAll(keepingCapacity: true)
            for e in examples {
                gather.append(contentsOf: activations[(e * t * d)..<((e + 1) * t * d)])
                gatherDelta.append(contentsOf: deltas[(e * t * f)..<((e + 1) * t * f)])
            }
            let a = gather, g = gatherDelta
            return a.withUnsafeBufferPointer { ap in g.withUnsafeBufferPointer { gp in
                ghost(ap.baseAddress!, gp.baseAddress!, n: n, d: d, f: f)
            } }
        }
        if gradient.count != d * f { gradient = [Float](repeating: 0, count: d * f) }
        return activations.withUnsafeBufferPointer { a in deltas.withUnsafeBufferPointer { g in gradient.withUnsafeMutableBufferPointer { c in
            for (k, e) in examples.enumerated() {
                LinearAlgebra.gemm(transposeA: true, transposeB: false, m: d, n: f, k: t, alpha: 1,
                                   a: a.baseAddress! + e * t * d, lda: d, b: g.baseAddress! + e * t * f, ldb: f,
                                   beta: k == 0 ? 0 : 1, c: c.baseAddress!, ldc: f)
            }
            return Double(VectorMath.sumOfSquares(c.baseAddress!, count: d * f))
        } } }
    }

    /// `Σ_{t,s} (A Aᵀ)_{ts} (Δ Δᵀ)_{ts}`.
    mutating func ghost(_ a: UnsafePointer<Float>, _ g: UnsafePointer<Float>, n: Int, d: Int, f: Int) -> Double {
        if gramA.count < n * n { gramA = [Float](repeating: 0, count: n * n); gramG = [Float](repeating: 0, count: n * n) }
        return gramA.withUnsafeMutableBufferPointer { ga in gramG.withUnsafeMutableBufferPointer { gg in
            LinearAlgebra.gemm(transposeA: false, transposeB: true, m: n, n: n, k: d, alpha: 1, a: a, lda: d, b: a, ldb: d,
                               beta: 0, c: ga.baseAddress!, ldc: n)
            LinearAlgebra.gemm(transposeA: false, transposeB: true, m: n, n: n, k: f, alpha: 1, a: g, lda: f, b: g, ldb: f,
                               beta: 0, c: gg.baseAddress!, ldc: n)
            return Double(VectorMath.dot(ga.baseAddress!, gg.baseAddress!, count: n * n))
        } }
    }
}
