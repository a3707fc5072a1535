/// Layer-independent kernels of group normalisation (Wu & He 2018; Keras `GroupNormalization`)
/// over channels-last batches `[B, positions, C]` (any spatial layout, flattened).
///
/// Channels are split into `groups` contiguous groups; each example's group is normalised with
/// its own mean and (biased) variance over positions × channels of the group, then scaled by
/// `gamma[c]` and shifted by `beta[c]`. Statistics never cross examples, so the layer is DP-safe
/// (unlike batch normalisation).
public enum GroupNormalizationKernels {
    /// What the backward pass needs from the forward pass.
    public struct Saved: Sendable {
        /// `x̂ = (x − μ) / √(σ² + ε)`, same layout as the input.
        public var normalized: [Float]
        /// `1 / √(σ² + ε)` per (example, group), `B · groups` values.
        public var inverseStandardDeviation: [Float]
    }

    /// Forward pass; returns `y = x̂ · gamma + beta` (gamma/beta nil = 1/0) and the saved values.
    /// - Parameters:
    ///   - positions: spatial positions per example (`H·W` or `T`, 1 for `[B, C]`).
    ///   - groups: divides `channels`.
    ///   - epsilon: added to the variance (Keras default 1e-3).
    public static func forward(_ input: [Float], batch: Int, positions: Int, channels: Int, groups: Int,
                               epsilon: Float, gamma: [Float]?, beta: [Float]?) -> (output: [Float], saved: Saved) {
        precondition(groups > 0 && channels % groups == 0, "group normalisation: groups must divide channels")
        precondition(input.count == batch * positions * channels, "group normalisation: input size")
        let cpg = channels / groups
        let n = Double(positions * cpg)
        var xhat = [Float](repeating: 0, count: input.count)
        var rstd = [Float](repeating: 0, count: batch * groups)
        // Raw pointers and wrapping index arithmetic: no bounds or overflow checks in the inner loops.
        input.withUnsafeBufferPointer { xb in xhat.withUnsafeMutableBufferPointer { hb in rstd.withUnsafeMutableBufferPointer { rb in
            guard let x = xb.baseAddress, let h = hb.baseAddress, let rs = rb.baseAddress else { return }
            for b in 0..<batch {
                let base = b &* positions &* channels
                for g in 0..<groups {
                    var sum = 0.0
                    for t in 0..<positions {
                        let row = x + (base &+ t &* channels &+ g &* cpg)
                        var s: Float = 0
                        for k in 0..<cpg { s += row[k] }
                        sum += Double(s)
                    }
                    let mean = sum / n
                    let meanF = Float(mean)
                    var squares = 0.0
                    for t in 0..<positions {
                        let row = x + (base &+ t &* channels &+ g &* cpg)
                        var s: Float = 0
                        for k in 0..<cpg { let d = row[k] - meanF; s += d * d }
                        squares += Double(s)
                    }
                    let r = 1 / (squares / n + Double(epsilon)).squareRoot()
                    rs[b &* groups &+ g] = Float(r)
                    let rF = Float(r)
                    for t in 0..<positions {
                        let at = base &+ t &* channels &+ g &* cpg
                        for k in 0..<cpg { h[at &+ k] = (x[at &+ k] - meanF) * rF }
                    }
                }
            }
        } } }
        var out = xhat
        if gamma != nil || beta != nil {
            let gammaValues = gamma ?? [Float](repeating: 1, count: channels)
            let betaValues = beta ?? [Float](repeating: 0, count: channels)
            let rows = batch * positions
            out.withUnsafeMutableBufferPointer { ob in gammaValues.withUnsafeBufferPointer { gb in betaValues.withUnsafeBufferPointer { bb in
                guard let o = ob.baseAddress, let gp = gb.baseAddress, let bp = bb.baseAddress else { return }
                for r in 0..<rows {
                    let row = o + r &* channels
                    for c in 0..<channels { row[c] = row[c] * gp[c] + bp[c] }
                }
            } } }
        }
        return (out, Saved(normalized: xhat, inverseStandardDeviation: rstd))
    }

    /// Gradient of each example's loss with respect to its input.
    public static func inputGradient(_ outputGradient: [Float], saved: Saved, batch: Int, positions: Int,
                                     channels: Int, groups: Int, gamma: [Float]?) -> [Float] {
        precondition(outputGradient.count == saved.normalized.count, "group normalisation: gradient size")
        let cpg = channels / groups
        let n = Double(positions * cpg)
        var dx = [Float](repeating: 0, count: outputGradient.count)
        let gammaValues = gamma ?? [Float](repeating: 1, count: channels)
        precondition(gammaValues.count == channels, "group normalisation: gamma size")
        outputGradient.withUnsafeBufferPointer { gb in saved.normalized.withUnsafeBufferPointer { nb in
        gammaValues.withUnsafeBufferPointer { gmb in dx.withUnsafeMutableBufferPointer { db in
            guard let dy = gb.baseAddress, let xh = nb.baseAddress, let gm = gmb.baseAddress, let d = db.baseAddress else { return }
            for b in 0..<batch {
                let base = b &* positions &* channels
                for g in 0..<groups {
                    let gg = gm + g &* cpg
                    var m1 = 0.0, m2 = 0.0
                    for t in 0..<positions {
                        let at = base &+ t &* channels &+ g &* cpg
                        var s1: Float = 0, s2: Float = 0
                        for k in 0..<cpg {
                            let gh = dy[at &+ k] * gg[k]
                            s1 += gh
                            s2 += gh * xh[at &+ k]
                        }
                        m1 += Double(s1); m2 += Double(s2)
                    }
                    let r = Float(saved.inverseStandardDeviation[b * groups + g])
                    let m1F = Float(m1 / n), m2F = Float(m2 / n)
                    for t in 0..<positions {
                        let at = base &+ t &* channels &+ g &* cpg
                        for k in 0..<cpg {
                            d[at &+ k] = r * (dy[at &+ k] * gg[k] - m1F - xh[at &+ k] * m2F)
                        }
                    }
                }
            }
        } } } }
        return dx
    }

    /// Each example's own parameter gradients, `[B, width]` row-major with `width` = C (gamma,
    /// when `scale`) + C (beta, when `center`), gamma first.
    public static func perExampleParameterGradients(_ outputGradient: [Float], saved: Saved, batch: Int,
                                                    positions: Int, channels: Int,
                                                    scale: Bool, center: Bool) -> (values: [Float], width: Int) {
        let width = (scale ? channels : 0) + (center ? channels : 0)
        var out = [Float](repeating: 0, count: batch * width)
        guard width > 0 else { return (out, 0) }
        let betaOffset = scale ? channels : 0
        precondition(outputGradient.count == batch * positions * channels && saved.normalized.count == outputGradient.count,
                     "group normalisation: gradient size")
        outputGradient.withUnsafeBufferPointer { gb in saved.normalized.withUnsafeBufferPointer { nb in out.withUnsafeMutableBufferPointer { ob in
            guard let dy = gb.baseAddress, let xh = nb.baseAddress, let o = ob.baseAddress else { return }
            for b in 0..<batch {
                let gammaRow = o + b &* width, betaRow = gammaRow + betaOffset
                for t in 0..<positions {
                    let at = (b &* positions &+ t) &* channels
                    if scale { for c in 0..<channels { gammaRow[c] += dy[at &+ c] * xh[at &+ c] } }
                    if center { for c in 0..<channels { betaRow[c] += dy[at &+ c] } }
                }
            }
        } } }
        return (out, width)
    }

    /// `Σ_i w_i · g_i` for gamma and beta (nil weights = all ones); nil for a disabled parameter.
    public static func parameterGradients(_ outputGradient: [Float], saved: Saved, batch: Int, positions: Int,
                                          channels: Int, scale: Bool, center: Bool,
                                          exampleWeights: [Float]?) -> (gamma: [Float]?, beta: [Float]?) {
        let (perExample, width) = perExampleParameterGradients(outputGradient, saved: saved, batch: batch,
                                                              positions: positions, channels: channels,
                                                              scale: scale, center: center)
        var total = [Float](repeating: 0, count: width)
        if width > 0 && batch > 0 {
            let weights = exampleWeights ?? [Float](repeating: 1, count: batch)
            precondition(weights.count == batch, "one weight per example")
            perExample.withUnsafeBufferPointer { a in weights.withUnsafeBufferPointer { x in total.withUnsafeMutableBufferPointer { y in
                LinearAlgebra.gemv(transpose: true, rows: batch, columns: width, alpha: 1,
                                   a: a.baseAddress!, x: x.baseAddress!, beta: 0, y: y.baseAddress!)
            } } }
        }
        let gamma = scale ? Array(total[0..<channels]) : nil
        let beta = center ? Array(total[(scale ? channels : 0)...]) : nil
        return (gamma, beta)
    }

    /// Squared norm over gamma and beta of each privacy unit's summed gradient (per example when
    /// `units` is nil). Costs `O(B · positions · C)`; the per-example vectors are only `2C` wide.
    public static func squaredGradientNorms(_ outputGradient: [Float], saved: Saved, batch: Int, positions: Int,
                                            channels: Int, scale: Bool, center: Bool,
                                            units: [Int]? = nil, unitCount: Int? = nil) -> [Float] {
        let (perExample, width) = perExampleParameterGradients(outputGradient, saved: saved, batch: batch,
                                                              positions: positions, channels: channels,
                                                              scale: scale, center: center)
        let groups = PrivacyUnitGroups(batch: batch, units: units, unitCount: unitCount)
        return groups.squaredNormsOfSums(perExample, width: width).map { Float($0) }
    }
}
