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
        for b in 0..<batch {
            let base = b * positions * channels
            for g in 0..<groups {
                var sum = 0.0
                for t in 0..<positions {
                    let at = base + t * channels + g * cpg
                    for k in 0..<cpg { sum += Double(input[at + k]) }
                }
                let mean = sum / n
                var squares = 0.0
                for t in 0..<positions {
                    let at = base + t * channels + g * cpg
                    for k in 0..<cpg { let d = Double(input[at + k]) - mean; squares += d * d }
                }
                let r = 1 / (squares / n + Double(epsilon)).squareRoot()
                rstd[b * groups + g] = Float(r)
                for t in 0..<positions {
                    let at = base + t * channels + g * cpg
                    for k in 0..<cpg { xhat[at + k] = Float((Double(input[at + k]) - mean) * r) }
                }
            }
        }
        var out = xhat
        if gamma != nil || beta != nil {
            let rows = batch * positions
            for r in 0..<rows {
                let at = r * channels
                for c in 0..<channels {
                    out[at + c] = out[at + c] * (gamma?[c] ?? 1) + (beta?[c] ?? 0)
                }
            }
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
        for b in 0..<batch {
            let base = b * positions * channels
            for g in 0..<groups {
                var m1 = 0.0, m2 = 0.0
                for t in 0..<positions {
                    let at = base + t * channels + g * cpg
                    for k in 0..<cpg {
                        let gh = Double(outputGradient[at + k]) * Double(gamma?[g * cpg + k] ?? 1)
                        m1 += gh
                        m2 += gh * Double(saved.normalized[at + k])
                    }
                }
                m1 /= n; m2 /= n
                let r = Double(saved.inverseStandardDeviation[b * groups + g])
                for t in 0..<positions {
                    let at = base + t * channels + g * cpg
                    for k in 0..<cpg {
                        let gh = Double(outputGradient[at + k]) * Double(gamma?[g * cpg + k] ?? 1)
                        dx[at + k] = Float(r * (gh - m1 - Double(saved.normalized[at + k]) * m2))
                    }
                }
            }
        }
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
        for b in 0..<batch {
            let row = b * width
            for t in 0..<positions {
                let at = (b * positions + t) * channels
                for c in 0..<channels {
                    let g = outputGradient[at + c]
                    if scale { out[row + c] += g * saved.normalized[at + c] }
                    if center { out[row + betaOffset + c] += g }
                }
            }
        }
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
