import Foundation
import PrivateLearning

/// Keras `GRU` and `LSTM` (`gru`, `lstm`) over `[B, T, I]` batches, stateless, trained by
/// backpropagation through time.
///
/// Parameters in Keras order and layout (`u` units, `G` gates: 4 for LSTM, 3 for GRU):
/// `kernel [I, G·u]`, `recurrent_kernel [u, G·u]`, `bias [G·u]` (LSTM) or `[2, G·u]` (GRU,
/// `reset_after=True`: row 0 the input bias, row 1 the recurrent bias). Gate order: LSTM `i, f, c, o`;
/// GRU `z, r, h`.
/// - LSTM: `z = x W + h U + b`, `i,f,o = σ(·)`, `g = tanh(·)`, `c' = f c + i g`, `h' = o tanh(c')`.
/// - GRU: `z = σ(x W_z + b_z + h U_z + b'_z)`, `r` likewise, `ĥ = tanh(x W_h + b_h + r ⊙ (h U_h + b'_h))`,
///   `h' = z h + (1 − z) ĥ`.
/// (`σ` = `recurrent_activation`, `tanh` = `activation`.) Output: every `h_t` (`return_sequences`,
/// `[T, u]`) or the last one (`[u]`).
///
/// Masks (`SequenceMask`, e.g. from `embedding(mask_zero)`): at a padding step the state carries
/// through unchanged (`h_t = h_{t−1}`, `c_t = c_{t−1}`) and the output is the carried state, as in
/// Keras (`zero_output_for_mask` makes it 0, which `bidirectional` uses). With `return_sequences` the
/// mask goes on to the next layer.
///
/// Every product is one GEMM: the input projection for all `B·T` rows at once, the recurrent one per
/// step for the whole batch, the weight gradients `Σ_t a_t δ_tᵀ` over all rows. Per-example norms
/// (the registered sampler, `Recurrent+PerExample.swift`) use, per privacy unit and weight, the
/// ghost norm `Σ_{t,s}(a_t·a_s)(δ_t·δ_s)` or the unit's own gradient, whichever is cheaper for the
/// shapes, as `conv1d` does.
public final class Recurrent: SequenceMaskingLayer {
    public enum Cell: String, Sendable { case lstm, gru }

    public let typeName: String
    public let cell: Cell
    public let units: Int
    public let activation: RecurrentActivation
    public let recurrentActivation: RecurrentActivation
    public let useBias: Bool
    public let returnSequences: Bool
    /// LSTM only: forget-gate bias initialised to 1 (Keras default).
    public let unitForgetBias: Bool
    public let kernelInitializer: Initializer
    /// `orthogonal` (Keras default) or an `Initializer` name.
    public let recurrentInitializer: String
    public let biasInitializer: Initializer
    /// Output 0 rather than the carried state at padding steps (set by `bidirectional` for `return_sequences`).
    public let zeroOutputForMask: Bool

    /// `[kernel, recurrent_kernel, bias?]`.
    public var parameters: [Tensor] = []
    /// Steps `T` and input features `I`, set by `build`.
    public private(set) var steps = 0
    public private(set) var inputFeatures = 0

    /// Gates per unit: 4 (LSTM) or 3 (GRU).
    public var gateCount: Int { cell == .lstm ? 4 : 3 }

    /// What backward, the gradients and the norm sampler need from one forward pass (all example-major).
    public struct Saved: Sendable {
        public var batch: Int
        /// `x`, `[B, T, I]`.
        public var inputs: [Float]
        /// `h_{t−1}` seen by step t, `[B, T, u]`.
        public var previous: [Float]
        /// Gate activations, `[B, T, G·u]` (LSTM `i, f, g, o`; GRU `z, r, ĥ`).
        public var gates: [Float]
        /// LSTM: `c_{t−1}` and `tanh(c_t)`, `[B, T, u]` each. GRU: `h_{t−1} U_h + b'_h` in `candidate`.
        public var previousCells: [Float]
        public var cellActivation: [Float]
        public var candidate: [Float]
        /// `[B · T]` or nil (every step real).
        public var mask: [Bool]?
        let cache: RecurrentDeltaCache
    }

    public init(_ cell: Cell, units: Int, activation: RecurrentActivation = .tanh, recurrentActivation: RecurrentActivation = .sigmoid,
                useBias: Bool = true, returnSequences: Bool = false, unitForgetBias: Bool = true,
                kernelInitializer: Initializer = .glorotUniform, recurrentInitializer: String = "orthogonal",
                biasInitializer: Initializer = .zeros, zeroOutputForMask: Bool = false) {
        precondition(units > 0, "\(cell.rawValue): units > 0")
        precondition(recurrentInitializer == "orthogonal" || Initializer(rawValue: recurrentInitializer) != nil,
                     "\(cell.rawValue): unknown recurrent initializer")
        self.cell = cell
        self.typeName = cell.rawValue
        self.units = units
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.useBias = useBias
        self.returnSequences = returnSequences
        self.unitForgetBias = unitForgetBias
        self.kernelInitializer = kernelInitializer
        self.recurrentInitializer = recurrentInitializer
        self.biasInitializer = biasInitializer
        self.zeroOutputForMask = zeroOutputForMask
    }

    public var configuration: PluginParameters {
        var c: PluginParameters = [
            "units": .int(units), "activation": .string(activation.rawValue),
            "recurrent_activation": .string(recurrentActivation.rawValue), "use_bias": .bool(useBias),
            "return_sequences": .bool(returnSequences), "kernel_initializer": .string(kernelInitializer.rawValue),
            "recurrent_initializer": .string(recurrentInitializer), "bias_initializer": .string(biasInitializer.rawValue),
        ]
        if cell == .lstm { c["unit_forget_bias"] = .bool(unitForgetBias) }
        return c
    }

    var parameterShapes: [[Int]] {
        let gu = gateCount * units
        return [[inputFeatures, gu], [units, gu]] + (useBias ? [cell == .lstm ? [gu] : [2, gu]] : [])
    }

    func check(_ inputShape: [Int], index: Int) throws {
        guard inputShape.count == 2, inputShape[0] > 0, inputShape[1] > 0, LayerShapePlan.elementCount(inputShape) != nil,
              LayerShapePlan.elementCount([inputShape[1], gateCount, units]) != nil,
              LayerShapePlan.elementCount([inputShape[0], gateCount, units]) != nil,
              LayerShapePlan.elementCount([units, gateCount, units]) != nil else {
            throw PrivateLearningError.incompatibleShape(layer: typeName, index: index, inputShape: inputShape,
                                                         reason: "\(typeName) needs [steps, features] per example")
        }
    }

    public func plannedShapes(inputShape: [Int], index: Int) throws -> LayerShapePlan? {
        try check(inputShape, index: index)
        let gu = gateCount * units
        return LayerShapePlan(outputShape: returnSequences ? [inputShape[0], units] : [units],
                              parameterShapes: [[inputShape[1], gu], [units, gu]] + (useBias ? [cell == .lstm ? [gu] : [2, gu]] : []))
    }

    public func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
        try check(inputShape, index: index)
        steps = inputShape[0]
        inputFeatures = inputShape[1]
        let gu = gateCount * units
        let kernel = kernelInitializer.values(count: inputFeatures * gu, fanIn: inputFeatures, fanOut: gu, using: &generator)
        let recurrent: [Float]
        if let initializer = Initializer(rawValue: recurrentInitializer) {
            recurrent = initializer.values(count: units * gu, fanIn: units, fanOut: gu, using: &generator)
        } else {
            recurrent = Self.orthogonal(rows: units, columns: gu, using: &generator)
        }
        parameters = [Tensor(shape: [inputFeatures, gu], values: kernel), Tensor(shape: [units, gu], values: recurrent)]
        if useBias {
            if cell == .lstm {
                var b = biasInitializer.values(count: gu, fanIn: inputFeatures, fanOut: gu, using: &generator)
                if unitForgetBias { for j in units..<(2 * units) { b[j] = 1 } }
                parameters.append(Tensor(shape: [gu], values: b))
            } else {
                parameters.append(Tensor(shape: [2, gu], values: biasInitializer.values(count: 2 * gu, fanIn: inputFeatures, fanOut: gu, using: &generator)))
            }
        }
        return returnSequences ? [steps, units] : [units]
    }

    /// A `rows × columns` matrix with orthonormal rows (or columns, when taller), Keras' `orthogonal`
    /// (gain 1): Gram–Schmidt on standard-normal vectors.
    static func orthogonal(rows: Int, columns: Int, using g: inout any RandomNumberGenerator) -> [Float] {
        let n = max(rows, columns), k = min(rows, columns)
        var vectors = [[Double]]()           // k orthonormal vectors of length n
        while vectors.count < k {
            var v = (0..<n).map { _ in GaussianSampling.standardNormal(using: &g) }
            for q in vectors {
                var d = 0.0
                for j in 0..<n { d += v[j] * q[j] }
                for j in 0..<n { v[j] -= d * q[j] }
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 1e-6 { vectors.append(v.map { $0 / norm }) }
        }
        var out = [Float](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            for c in 0..<columns { out[r * columns + c] = Float(rows <= columns ? vectors[r][c] : vectors[c][r]) }
        }
        return out
    }

    public func forward(_ input: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        let r = forward(input, mask: nil, training: training)
        return (r.output, r.saved)
    }

    public func forward(_ input: Tensor, mask incoming: SequenceMask?, training: Bool) -> (output: Tensor, saved: any Sendable, mask: SequenceMask?) {
        let b = input.rows, t = steps, n = inputFeatures, u = units, gu = gateCount * units
        precondition(input.count == b * t * n, "\(typeName): input does not match the built shape")
        guard b > 0 else {
            return (Tensor(zeros: returnSequences ? [0, t, u] : [0, u]),
                    Saved(batch: 0, inputs: [], previous: [], gates: [], previousCells: [], cellActivation: [], candidate: [],
                          mask: nil, cache: RecurrentDeltaCache()), nil)
        }
        let mask: [Bool]? = incoming.flatMap { $0.steps == t && $0.batchSize == b && $0.values.contains(false) ? $0.values : nil }
        // Input projection of every (example, step) row at once: [B·T, G·u].
        var projected = [Float](repeating: 0, count: b * t * gu)
        if useBias { let bias = parameters[2].storage; for row in 0..<(b * t) { for j in 0..<gu { projected[row &* gu &+ j] = bias[j] } } }
        input.storage.withUnsafeBufferPointer { x in parameters[0].storage.withUnsafeBufferPointer { w in projected.withUnsafeMutableBufferPointer { p in
            LinearAlgebra.gemm(transposeA: false, transposeB: false, m: b * t, n: gu, k: n, alpha: 1, a: x.baseAddress!, lda: n,
                               b: w.baseAddress!, ldb: gu, beta: useBias ? 1 : 0, c: p.baseAddress!, ldc: gu)
        } } }
        var previous = [Float](repeating: 0, count: b * t * u)
        var gates = [Float](repeating: 0, count: b * t * gu)
        var previousCells = [Float](repeating: 0, count: cell == .lstm ? b * t * u : 0)
        var cellActivation = [Float](repeating: 0, count: cell == .lstm ? b * t * u : 0)
        var candidate = [Float](repeating: 0, count: cell == .gru ? b * t * u : 0)
        var output = [Float](repeating: 0, count: returnSequences ? b * t * u : b * u)
        var h = [Float](repeating: 0, count: b * u), c = [Float](repeating: 0, count: b * u)
        var hz = [Float](repeating: 0, count: b * gu)
        let recurrentBias: [Float]? = (useBias && cell == .gru) ? Array(parameters[2].storage[gu..<(2 * gu)]) : nil
        let f = activation, fr = recurrentActivation, lstm = cell == .lstm
        parameters[1].storage.withUnsafeBufferPointer { uk in
            for s in 0..<t {
                // h_{t−1} U (+ b' for GRU) for the whole batch: [B, G·u].
                if let rb = recurrentBias { for i in 0..<b { for j in 0..<gu { hz[i &* gu &+ j] = rb[j] } } }
                h.withUnsafeBufferPointer { hp in hz.withUnsafeMutableBufferPointer { zp in
                    LinearAlgebra.gemm(transposeA: false, transposeB: false, m: b, n: gu, k: u, alpha: 1, a: hp.baseAddress!, lda: u,
                                       b: uk.baseAddress!, ldb: gu, beta: recurrentBias == nil ? 0 : 1, c: zp.baseAddress!, ldc: gu)
                } }
                for i in 0..<b {
                    let row = i &* t &+ s, su = row &* u, sg = row &* gu
                    for j in 0..<u { previous[su &+ j] = h[i &* u &+ j] }
                    if lstm { for j in 0..<u { previousCells[su &+ j] = c[i &* u &+ j] } }
                    let real = mask?[row] ?? true
                    if real {
                        if lstm {
                            for j in 0..<u {
                                let gi = fr.apply(projected[sg &+ j] + hz[i &* gu &+ j])
                                let gf = fr.apply(projected[sg &+ u &+ j] + hz[i &* gu &+ u &+ j])
                                let gg = f.apply(projected[sg &+ 2 &* u &+ j] + hz[i &* gu &+ 2 &* u &+ j])
                                let go = fr.apply(projected[sg &+ 3 &* u &+ j] + hz[i &* gu &+ 3 &* u &+ j])
                                let cn = gf * c[i &* u &+ j] + gi * gg
                                let tc = f.apply(cn)
                                gates[sg &+ j] = gi; gates[sg &+ u &+ j] = gf; gates[sg &+ 2 &* u &+ j] = gg; gates[sg &+ 3 &* u &+ j] = go
                                cellActivation[su &+ j] = tc
                                c[i &* u &+ j] = cn
                                h[i &* u &+ j] = go * tc
                            }
                        } else {
                            for j in 0..<u {
                                let z = fr.apply(projected[sg &+ j] + hz[i &* gu &+ j])
                                let r = fr.apply(projected[sg &+ u &+ j] + hz[i &* gu &+ u &+ j])
                                let rec = hz[i &* gu &+ 2 &* u &+ j]
                                let hh = f.apply(projected[sg &+ 2 &* u &+ j] + r * rec)
                                gates[sg &+ j] = z; gates[sg &+ u &+ j] = r; gates[sg &+ 2 &* u &+ j] = hh
                                candidate[su &+ j] = rec
                                h[i &* u &+ j] = z * h[i &* u &+ j] + (1 - z) * hh
                            }
                        }
                    }
                    if returnSequences && (real || !zeroOutputForMask) {
                        for j in 0..<u { output[su &+ j] = h[i &* u &+ j] }
                    }
                }
            }
        }
        if !returnSequences { output = h }
        let saved = Saved(batch: b, inputs: input.storage, previous: previous, gates: gates, previousCells: previousCells,
                          cellActivation: cellActivation, candidate: candidate, mask: mask, cache: RecurrentDeltaCache())
        let shape = returnSequences ? [b, t, u] : [b, u]
        return (Tensor(shape: shape, values: output), saved, returnSequences ? incoming.flatMap { $0.steps == t && $0.batchSize == b ? $0 : nil } : nil)
    }

    /// Backpropagation through time: the gradient of each example's loss with respect to the input
    /// projection (`δx`, `[B·T, G·u]`) and the recurrent projection (`δh`; the same array for LSTM).
    func deltas(_ outputGradient: Tensor, _ s: Saved) -> RecurrentDeltas {
        s.cache.value(for: outputGradient.storage) { computeDeltas(outputGradient.storage, s) }
    }

    func computeDeltas(_ dy: [Float], _ s: Saved) -> RecurrentDeltas {
        let b = s.batch, t = steps, u = units, gu = gateCount * units, lstm = cell == .lstm
        precondition(dy.count == (returnSequences ? b * t * u : b * u), "\(typeName): output gradient does not match the forward batch")
        var dx = [Float](repeating: 0, count: b * t * gu)
        guard b > 0 else { return RecurrentDeltas(input: [], recurrent: []) }
        var dhRec = lstm ? [Float]() : [Float](repeating: 0, count: b * t * gu)
        var dh = [Float](repeating: 0, count: b * u), dc = [Float](repeating: 0, count: b * u)
        if !returnSequences { dh = dy }
        let f = activation, fr = recurrentActivation
        parameters[1].storage.withUnsafeBufferPointer { uk in
            for step in stride(from: t - 1, through: 0, by: -1) {
                for i in 0..<b {
                    let row = i &* t &+ step, su = row &* u, sg = row &* gu, hu = i &* u
                    let real = s.mask?[row] ?? true
                    if returnSequences && (real || !zeroOutputForMask) { for j in 0..<u { dh[hu &+ j] += dy[su &+ j] } }
                    guard real else { continue }            // state carried: dh, dc pass through
                    if lstm {
                        for j in 0..<u {
                            let gi = s.gates[sg &+ j], gf = s.gates[sg &+ u &+ j], gg = s.gates[sg &+ 2 &* u &+ j], go = s.gates[sg &+ 3 &* u &+ j]
                            let tc = s.cellActivation[su &+ j], g = dh[hu &+ j]
                            let dct = dc[hu &+ j] + g * go * f.derivative(output: tc)
                            dx[sg &+ j] = dct * gg * fr.derivative(output: gi)
                            dx[sg &+ u &+ j] = dct * s.previousCells[su &+ j] * fr.derivative(output: gf)
                            dx[sg &+ 2 &* u &+ j] = dct * gi * f.derivative(output: gg)
                            dx[sg &+ 3 &* u &+ j] = g * tc * fr.derivative(output: go)
                            dc[hu &+ j] = dct * gf
                            dh[hu &+ j] = 0
                        }
                    } else {
                        for j in 0..<u {
                            let z = s.gates[sg &+ j], r = s.gates[sg &+ u &+ j], hh = s.gates[sg &+ 2 &* u &+ j]
                            let g = dh[hu &+ j]
                            let dzPre = g * (s.previous[su &+ j] - hh) * fr.derivative(output: z)
                            let da = g * (1 - z) * f.derivative(output: hh)
                            let drPre = da * s.candidate[su &+ j] * fr.derivative(output: r)
                            dx[sg &+ j] = dzPre; dx[sg &+ u &+ j] = drPre; dx[sg &+ 2 &* u &+ j] = da
                            dhRec[sg &+ j] = dzPre; dhRec[sg &+ u &+ j] = drPre; dhRec[sg &+ 2 &* u &+ j] = da * r
                            dh[hu &+ j] = g * z
                        }
                    }
                }
                // dh_{t−1} += δh_t Uᵀ for the whole batch (padding rows have δh = 0 and keep dh).
                func addRecurrent(_ d: UnsafeBufferPointer<Float>) {
                    dh.withUnsafeMutableBufferPointer { hp in
                        LinearAlgebra.gemm(transposeA: false, transposeB: true, m: b, n: u, k: gu, alpha: 1,
                                           a: d.baseAddress! + step &* gu, lda: t &* gu, b: uk.baseAddress!, ldb: gu,
                                           beta: 1, c: hp.baseAddress!, ldc: u)
                    }
                }
                if lstm { dx.withUnsafeBufferPointer(addRecurrent) } else { dhRec.withUnsafeBufferPointer(addRecurrent) }
            }
        }
        return RecurrentDeltas(input: dx, recurrent: lstm ? dx : dhRec)
    }

    /// `δx Wᵀ`, `[B, T, I]`.
    public func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        let d = deltas(outputGradient, s)
        let b = s.batch, t = steps, n = inputFeatures, gu = gateCount * units
        var dx = [Float](repeating: 0, count: b * t * n)
        guard b > 0 else { return Tensor(shape: [0, t, n], values: []) }
        d.input.withUnsafeBufferPointer { g in parameters[0].storage.withUnsafeBufferPointer { w in dx.withUnsafeMutableBufferPointer { o in
            LinearAlgebra.gemm(transposeA: false, transposeB: true, m: b * t, n: n, k: gu, alpha: 1, a: g.baseAddress!, lda: gu,
                               b: w.baseAddress!, ldb: gu, beta: 0, c: o.baseAddress!, ldc: n)
        } } }
        return Tensor(shape: [b, t, n], values: dx)
    }

    /// `Σ_i w_i g_i`: `Σ_{i,t} w_i x_it δx_itᵀ`, `Σ_{i,t} w_i h_i,t−1 δh_itᵀ` and the bias sums, one GEMM
    /// (GEMV) each. Examples of weight 0 are left out, not multiplied by 0.
    public func parameterGradients(outputGradient: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        let d = deltas(outputGradient, s)
        let t = steps, n = inputFeatures, u = units, gu = gateCount * units
        var inputs = s.inputs, previous = s.previous, dIn = d.input, dRec = d.recurrent
        var batch = s.batch
        if let w = exampleWeights {
            precondition(w.count == s.batch, "one weight per example")
            let keep = w.indices.filter { w[$0] != 0 }
            if keep.count != s.batch {
                inputs = keep.flatMap { s.inputs[($0 * t * n)..<(($0 + 1) * t * n)] }
                previous = keep.flatMap { s.previous[($0 * t * u)..<(($0 + 1) * t * u)] }
                dIn = keep.flatMap { d.input[($0 * t * gu)..<(($0 + 1) * t * gu)] }
                dRec = cell == .lstm ? dIn : keep.flatMap { d.recurrent[($0 * t * gu)..<(($0 + 1) * t * gu)] }
                batch = keep.count
            }
            let kept = keep.map { w[$0] }
            for (k, wk) in kept.enumerated() where wk != 1 {
                for j in (k * t * gu)..<((k + 1) * t * gu) { dIn[j] *= wk }
                if cell == .gru { for j in (k * t * gu)..<((k + 1) * t * gu) { dRec[j] *= wk } }
            }
            if cell == .lstm { dRec = dIn }
        }
        let rows = batch * t
        var kernel = [Float](repeating: 0, count: n * gu), recurrent = [Float](repeating: 0, count: u * gu)
        if rows > 0 {
            inputs.withUnsafeBufferPointer { a in dIn.withUnsafeBufferPointer { g in kernel.withUnsafeMutableBufferPointer { c in
                LinearAlgebra.gemm(transposeA: true, transposeB: false, m: n, n: gu, k: rows, alpha: 1, a: a.baseAddress!, lda: n,
                                   b: g.baseAddress!, ldb: gu, beta: 0, c: c.baseAddress!, ldc: gu)
            } } }
            previous.withUnsafeBufferPointer { a in dRec.withUnsafeBufferPointer { g in recurrent.withUnsafeMutableBufferPointer { c in
                LinearAlgebra.gemm(transposeA: true, transposeB: false, m: u, n: gu, k: rows, alpha: 1, a: a.baseAddress!, lda: u,
                                   b: g.baseAddress!, ldb: gu, beta: 0, c: c.baseAddress!, ldc: gu)
            } } }
        }
        var out = [Tensor(shape: [n, gu], values: kernel), Tensor(shape: [u, gu], values: recurrent)]
        if useBias {
            let sumIn = Self.columnSums(dIn, rows: rows, columns: gu)
            out.append(cell == .lstm ? Tensor(shape: [gu], values: sumIn)
                                     : Tensor(shape: [2, gu], values: sumIn + Self.columnSums(dRec, rows: rows, columns: gu)))
        }
        return out
    }

    /// Column sums of a row-major `rows × columns` matrix (GEMV with ones).
    static func columnSums(_ m: [Float], rows: Int, columns: Int, offset: Int = 0) -> [Float] {
        var out = [Float](repeating: 0, count: columns)
        guard rows > 0, columns > 0 else { return out }
        let ones = [Float](repeating: 1, count: rows)
        m.withUnsafeBufferPointer { a in ones.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in
            LinearAlgebra.gemv(transpose: true, rows: rows, columns: columns, alpha: 1, a: a.baseAddress! + offset,
                               x: x.baseAddress!, beta: 0, y: y.baseAddress!)
        } } }
        return out
    }
}

/// `δx` and `δh` of one backward pass (see `Recurrent.deltas`).
struct RecurrentDeltas: Sendable {
    var input: [Float]
    var recurrent: [Float]
}

/// Per-batch memo of the last BPTT result, kept in the saved value (never in the layer): backward,
/// the norm sampler and the clipped-sum gradients of one step share one pass. Keyed by the output
/// gradient's values, so another gradient recomputes.
final class RecurrentDeltaCache: @unchecked Sendable {
    private let lock = NSLock()
    private var key: [Float]?
    private var stored: RecurrentDeltas?

    func value(for gradient: [Float], compute: () -> RecurrentDeltas) -> RecurrentDeltas {
        lock.lock()
        if let key, let stored, key == gradient { lock.unlock(); return stored }
        lock.unlock()
        let v = compute()
        lock.lock()
        key = gradient
        stored = v
        lock.unlock()
        return v
    }
}

/// The element-wise activations a recurrent cell accepts (Keras names), with the derivative
/// written in terms of the output.
public enum RecurrentActivation: String, Sendable, CaseIterable {
    case tanh, sigmoid, relu, linear

    @inline(__always)
    public func apply(_ z: Float) -> Float {
        switch self {
        case .tanh: return Foundation.tanh(z)
        case .sigmoid: return 1 / (1 + Foundation.exp(-z))
        case .relu: return max(z, 0)
        case .linear: return z
        }
    }

    /// `f'(z)` from `a = f(z)`.
    @inline(__always)
    public func derivative(output a: Float) -> Float {
        switch self {
        case .tanh: return 1 - a * a
        case .sigmoid: return a * (1 - a)
        case .relu: return a > 0 ? 1 : 0
        case .linear: return 1
        }
    }
}
