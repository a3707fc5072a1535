/// Layer-independent kernels of a 1-D/2-D convolution over channels-last batches, every
/// product through BLAS (`LinearAlgebra.gemm`/`gemv`).
///
/// Shapes: input `[B, H, W, Cin]` (or `[B, T, Cin]`), kernel `[kh, kw, Cin, F]` (Keras HWIO, i.e.
/// a row-major `patchSize × F` matrix), bias `[F]`, output `[B, oh, ow, F]`. The im2col matrix
/// `A` (`B · P × D`, `P` output positions, `D = patchSize`) is computed once in the forward pass
/// and reused by the backward pass and the norms; the caller keeps it (layers hold no state).
public enum ConvolutionKernels {
    /// How per-example (per-unit) gradient norms are computed.
    public enum NormMethod: String, Sendable, CaseIterable {
        /// Ghost when cheaper, else direct, decided per unit from the shapes (mixed ghost clipping).
        case automatic
        /// `‖Σ_t a_t δ_tᵀ‖² = Σ_{t,s} (a_t·a_s)(δ_t·δ_s)`: two Gram matrices, cost ~T²·(D + F).
        case ghost
        /// The unit's gradient `Σ_t a_t δ_tᵀ` (one GEMM into a `D × F` scratch), cost ~T·D·F.
        case direct
    }

    /// True when the ghost norm is cheaper than the direct one for a weight shared over `rows`
    /// positions: `rows² · (D + F) < rows · D · F` (Bu et al. 2022, mixed ghost clipping).
    @inlinable
    public static func prefersGhostNorm(rows: Int, patchSize: Int, filters: Int) -> Bool {
        Double(rows) * Double(patchSize + filters) < Double(patchSize) * Double(filters)
    }

    /// Pre-activation output `A · K + b`, `[B · P, F]` row-major (= `[B, oh, ow, F]`).
    /// - Parameters:
    ///   - columns: im2col of the input (`Im2Col.unfold`), `B · P · D` elements.
    ///   - kernel: `D · F` elements; bias: `F` elements or nil.
    public static func forward(columns: [Float], batch: Int, geometry: ConvolutionGeometry,
                               kernel: [Float], bias: [Float]?, filters: Int) -> [Float] {
        let rows = batch * geometry.outputPositions, d = geometry.patchSize
        precondition(columns.count == rows * d && kernel.count == d * filters, "convolution: sizes")
        var out = [Float](repeating: 0, count: rows * filters)
        if let bias {
            precondition(bias.count == filters, "convolution: bias size")
            for r in 0..<rows { for f in 0..<filters { out[r &* filters &+ f] = bias[f] } }
        }
        guard rows > 0, filters > 0 else { return out }
        columns.withUnsafeBufferPointer { a in kernel.withUnsafeBufferPointer { k in out.withUnsafeMutableBufferPointer { c in
            LinearAlgebra.gemm(transposeA: false, transposeB: false, m: rows, n: filters, k: d,
                               alpha: 1, a: a.baseAddress!, lda: d, b: k.baseAddress!, ldb: filters,
                               beta: bias == nil ? 0 : 1, c: c.baseAddress!, ldc: filters)
        } } }
        return out
    }

    /// Gradient of each example's loss with respect to its input, `[B, H, W, Cin]`:
    /// col2im of `Δ · Kᵀ`.
    public static func inputGradient(outputGradient: [Float], batch: Int, geometry: ConvolutionGeometry,
                                     kernel: [Float], filters: Int) -> [Float] {
        let rows = batch * geometry.outputPositions, d = geometry.patchSize
        precondition(outputGradient.count == rows * filters && kernel.count == d * filters, "convolution: sizes")
        guard rows > 0, d > 0 else { return [Float](repeating: 0, count: batch * geometry.inputElementCount) }
        var dColumns = [Float](repeating: 0, count: rows * d)
        outputGradient.withUnsafeBufferPointer { g in kernel.withUnsafeBufferPointer { k in dColumns.withUnsafeMutableBufferPointer { c in
            LinearAlgebra.gemm(transposeA: false, transposeB: true, m: rows, n: d, k: filters,
                               alpha: 1, a: g.baseAddress!, lda: filters, b: k.baseAddress!, ldb: filters,
                               beta: 0, c: c.baseAddress!, ldc: d)
        } } }
        return Im2Col.fold(dColumns, batch: batch, geometry: geometry)
    }

    /// `Σ_i w_i · g_i` for the kernel (`D · F`) and the bias (`F`, when `includeBias`), where `g_i`
    /// is example `i`'s gradient; nil weights mean all ones (book-keeping DP-SGD passes the clip
    /// factors here, so the clipped sum costs one GEMM).
    public static func parameterGradients(columns: [Float], outputGradient: [Float], batch: Int,
                                          geometry: ConvolutionGeometry, filters: Int,
                                          exampleWeights: [Float]?, includeBias: Bool) -> (kernel: [Float], bias: [Float]?) {
        let p = geometry.outputPositions, rows = batch * p, d = geometry.patchSize
        precondition(columns.count == rows * d && outputGradient.count == rows * filters, "convolution: sizes")
        if let w = exampleWeights { precondition(w.count == batch, "one weight per example") }
        var kernel = [Float](repeating: 0, count: d * filters)
        var bias: [Float]? = includeBias ? [Float](repeating: 0, count: filters) : nil
        guard rows > 0, filters > 0 else { return (kernel, bias) }
        var scaled: [Float]
        if let w = exampleWeights {
            scaled = outputGradient
            for b in 0..<batch where w[b] != 1 {
                let wb = w[b]
                for k in (b * p * filters)..<((b + 1) * p * filters) { scaled[k] *= wb }
            }
        } else {
            scaled = outputGradient
        }
        columns.withUnsafeBufferPointer { a in scaled.withUnsafeBufferPointer { g in kernel.withUnsafeMutableBufferPointer { c in
            LinearAlgebra.gemm(transposeA: true, transposeB: false, m: d, n: filters, k: rows,
                               alpha: 1, a: a.baseAddress!, lda: d, b: g.baseAddress!, ldb: filters,
                               beta: 0, c: c.baseAddress!, ldc: filters)
        } } }
        if includeBias {
            let ones = [Float](repeating: 1, count: rows)
            var out = [Float](repeating: 0, count: filters)
            scaled.withUnsafeBufferPointer { g in ones.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in
                LinearAlgebra.gemv(transpose: true, rows: rows, columns: filters, alpha: 1,
                                   a: g.baseAddress!, x: x.baseAddress!, beta: 0, y: y.baseAddress!)
            } } }
            bias = out
        }
        return (kernel, bias)
    }

    /// Squared L2 norm over kernel and bias of each privacy unit's summed gradient
    /// `‖Σ_{i∈u} g_i‖²` (one entry per unit; per example when `units` is nil).
    ///
    /// Never materialises a `B × parameters` tensor: per unit it uses either two `T × T` Gram
    /// matrices (ghost) or one `D × F` scratch gradient (direct), `T` = rows of the unit × positions,
    /// chosen by `method` (`automatic`: the cheaper one for that unit).
    /// - Complexity: Σ_u min(T_u²·(D+F), T_u·D·F) multiply-adds.
    public static func squaredGradientNorms(columns: [Float], outputGradient: [Float], batch: Int,
                                            geometry: ConvolutionGeometry, filters: Int, includeBias: Bool,
                                            units: [Int]? = nil, unitCount: Int? = nil,
                                            method: NormMethod = .automatic) -> [Float] {
        let p = geometry.outputPositions, d = geometry.patchSize
        precondition(columns.count == batch * p * d && outputGradient.count == batch * p * filters, "convolution: sizes")
        let groups = PrivacyUnitGroups(batch: batch, units: units, unitCount: unitCount)
        var norms = [Double](repeating: 0, count: groups.count)
        if includeBias {
            // Bias gradient of example i: Σ_t δ_it (F values); per unit, their sum.
            var sums = [Float](repeating: 0, count: batch * filters)
            let ones = [Float](repeating: 1, count: p)
            if p > 0 && filters > 0 {
                outputGradient.withUnsafeBufferPointer { g in ones.withUnsafeBufferPointer { x in sums.withUnsafeMutableBufferPointer { y in
                    for b in 0..<batch {
                        LinearAlgebra.gemv(transpose: true, rows: p, columns: filters, alpha: 1,
                                           a: g.baseAddress! + b * p * filters, x: x.baseAddress!, beta: 0,
                                           y: y.baseAddress! + b * filters)
                    }
                } } }
            }
            norms = groups.squaredNormsOfSums(sums, width: filters)
        }
        guard p > 0, d > 0, filters > 0 else { return norms.map { Float($0) } }

        var kernelScratch = [Float]()          // D × F (direct)
        var gramA = [Float](), gramG = [Float]()  // T × T (ghost)
        var gatherA = [Float](), gatherG = [Float]()
        columns.withUnsafeBufferPointer { aAll in outputGradient.withUnsafeBufferPointer { gAll in
            for (u, rows) in groups.members.enumerated() where !rows.isEmpty {
                let t = rows.count * p
                let ghost: Bool
                switch method {
                case .ghost: ghost = true
                case .direct: ghost = false
                case .automatic: ghost = prefersGhostNorm(rows: t, patchSize: d, filters: filters)
                }
                if ghost {
                    // A_u and Δ_u: the unit's rows, contiguous (gathered when the unit has several).
                    if rows.count == 1 {
                        norms[u] += ghostSquaredNorm(aAll.baseAddress! + rows[0] * p * d,
                                                     gAll.baseAddress! + rows[0] * p * filters,
                                                     t: t, d: d, f: filters, gramA: &gramA, gramG: &gramG)
                    } else {
                        gatherA.removeAll(keepingCapacity: true)
                        gatherG.removeAll(keepingCapacity: true)
                        for r in rows {
                            gatherA.append(contentsOf: aAll[(r * p * d)..<((r + 1) * p * d)])
                            gatherG.append(contentsOf: gAll[(r * p * filters)..<((r + 1) * p * filters)])
                        }
                        norms[u] += gatherA.withUnsafeBufferPointer { ga in gatherG.withUnsafeBufferPointer { gg in
                            ghostSquaredNorm(ga.baseAddress!, gg.baseAddress!, t: t, d: d, f: filters, gramA: &gramA, gramG: &gramG)
                        } }
                    }
                } else {
                    if kernelScratch.count != d * filters { kernelScratch = [Float](repeating: 0, count: d * filters) }
                    kernelScratch.withUnsafeMutableBufferPointer { c in
                        for (k, r) in rows.enumerated() {
                            LinearAlgebra.gemm(transposeA: true, transposeB: false, m: d, n: filters, k: p,
                                               alpha: 1, a: aAll.baseAddress! + r * p * d, lda: d,
                                               b: gAll.baseAddress! + r * p * filters, ldb: filters,
                                               beta: k == 0 ? 0 : 1, c: c.baseAddress!, ldc: filters)
                        }
                        norms[u] += Double(VectorMath.sumOfSquares(c.baseAddress!, count: d * filters))
                    }
                }
            }
        } }
        return norms.map { Float($0) }
    }

    /// Every example's own gradient: kernel `G_i = A_iᵀ Δ_i` (`B × D·F`, one GEMM per example) and,
    /// when `includeBias`, bias `Σ_t δ_it` (`B × F`). For the direct norm path when a layer's
    /// `B · D · F` is small next to its im2col matrix: the clipped sum then costs one GEMV over these
    /// (`weightedSum`) instead of a second `D × F × B·P` GEMM.
    public static func perExampleGradients(columns: [Float], outputGradient: [Float], batch: Int, geometry: ConvolutionGeometry,
                                           filters: Int, includeBias: Bool) -> (kernel: [Float], bias: [Float]?) {
        let p = geometry.outputPositions, d = geometry.patchSize
        precondition(columns.count == batch * p * d && outputGradient.count == batch * p * filters, "convolution: sizes")
        var kernel = [Float](repeating: 0, count: batch * d * filters)
        var bias: [Float]? = includeBias ? [Float](repeating: 0, count: batch * filters) : nil
        guard p > 0, d > 0, filters > 0 else { return (kernel, bias) }
        columns.withUnsafeBufferPointer { a in outputGradient.withUnsafeBufferPointer { g in kernel.withUnsafeMutableBufferPointer { c in
            for b in 0..<batch {
                LinearAlgebra.gemm(transposeA: true, transposeB: false, m: d, n: filters, k: p,
                                   alpha: 1, a: a.baseAddress! + b * p * d, lda: d, b: g.baseAddress! + b * p * filters, ldb: filters,
                                   beta: 0, c: c.baseAddress! + b * d * filters, ldc: filters)
            }
        } } }
        if includeBias {
            let ones = [Float](repeating: 1, count: p)
            outputGradient.withUnsafeBufferPointer { g in ones.withUnsafeBufferPointer { x in bias!.withUnsafeMutableBufferPointer { y in
                for b in 0..<batch {
                    LinearAlgebra.gemv(transpose: true, rows: p, columns: filters, alpha: 1, a: g.baseAddress! + b * p * filters,
                                       x: x.baseAddress!, beta: 0, y: y.baseAddress! + b * filters)
                }
            } } }
        }
        return (kernel, bias)
    }

    /// `Σ_i w_i · rows[i]` of a row-major `B × width` matrix (one GEMV); nil weights mean ones.
    public static func weightedSum(_ rows: [Float], batch: Int, width: Int, weights: [Float]?) -> [Float] {
        precondition(rows.count == batch * width, "convolution: sizes")
        var out = [Float](repeating: 0, count: width)
        let w = weights ?? [Float](repeating: 1, count: batch)
        precondition(w.count == batch, "one weight per example")
        rows.withUnsafeBufferPointer { a in w.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in
            LinearAlgebra.gemv(transpose: true, rows: batch, columns: width, alpha: 1, a: a.baseAddress!, x: x.baseAddress!,
                               beta: 0, y: y.baseAddress!)
        } } }
        return out
    }

    /// `Σ_{t,s} (A Aᵀ)_{ts} (Δ Δᵀ)_{ts}` for row-major `A` (`t × d`) and `Δ` (`t × f`).
    @usableFromInline
    static func ghostSquaredNorm(_ a: UnsafePointer<Float>, _ g: UnsafePointer<Float>, t: Int, d: Int, f: Int,
                                 gramA: inout [Float], gramG: inout [Float]) -> Double {
        let n = t * t
        if gramA.count < n { gramA = [Float](repeating: 0, count: n); gramG = [Float](repeating: 0, count: n) }
        return gramA.withUnsafeMutableBufferPointer { ga in gramG.withUnsafeMutableBufferPointer { gg in
            LinearAlgebra.gemm(transposeA: false, transposeB: true, m: t, n: t, k: d, alpha: 1,
                               a: a, lda: d, b: a, ldb: d, beta: 0, c: ga.baseAddress!, ldc: t)
            LinearAlgebra.gemm(transposeA: false, transposeB: true, m: t, n: t, k: f, alpha: 1,
                               a: g, lda: f, b: g, ldb: f, beta: 0, c: gg.baseAddress!, ldc: t)
            return Double(VectorMath.dot(ga.baseAddress!, gg.baseAddress!, count: n))
        } }
    }
}
