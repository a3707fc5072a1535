/// Layer-independent kernels of max and average pooling (1-D and 2-D, windowed and global) over
/// channels-last batches `[B, H, W, C]` / `[B, T, C]`. Pooling has no parameters and acts on each
/// example alone, so it needs no per-example norm path.
///
/// Semantics as Keras/TensorFlow: `same` padding never contributes a value — max pooling ignores
/// padded taps and average pooling divides by the number of taps inside the input.
public enum PoolingKernels {
    /// Max pooling. Returns the output `[B, oh, ow, C]` and, for each output element, the index
    /// (within the whole batch's input) of the element that won — the first maximum in window
    /// order — which `maxBackward` routes the gradient to. A NaN input wins its window.
    /// - Parameter geometry: window (`kernelSize` = pool size, dilation 1) over the input.
    public static func maxForward(_ input: [Float], batch: Int, geometry g: ConvolutionGeometry) -> (output: [Float], winners: [Int]) {
        precondition(input.count == batch * g.inputElementCount, "max pooling: input size")
        let c = g.channels
        let n = batch * g.outputPositions * c
        var out = [Float](repeating: 0, count: n)
        var winners = [Int](repeating: 0, count: n)
        guard n > 0 else { return (out, winners) }
        input.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { dst in winners.withUnsafeMutableBufferPointer { win in
            let x = src.baseAddress!, y = dst.baseAddress!, w = win.baseAddress!
            var o = 0
            for b in 0..<batch {
                let base = b &* g.inputElementCount
                for oy in 0..<g.oh {
                    let y0 = oy &* g.sh &- g.ph
                    for ox in 0..<g.ow {
                        let x0 = ox &* g.sw &- g.pw
                        var first = true
                        for ki in 0..<g.kh {
                            let yy = y0 &+ ki &* g.dh
                            guard yy >= 0 && yy < g.ih else { continue }
                            for kj in 0..<g.kw {
                                let xx = x0 &+ kj &* g.dw
                                guard xx >= 0 && xx < g.iw else { continue }
                                let at = base &+ (yy &* g.iw &+ xx) &* c
                                if first {
                                    // The window's first tap inside the input initialises every channel.
                                    for ch in 0..<c { y[o &+ ch] = x[at &+ ch]; w[o &+ ch] = at &+ ch }
                                    first = false
                                    continue
                                }
                                for ch in 0..<c {
                                    let v = x[at &+ ch], best = y[o &+ ch]
                                    // `>` keeps the first maximum; a NaN wins its window.
                                    if v > best || (v != v && best == best) { y[o &+ ch] = v; w[o &+ ch] = at &+ ch }
                                }
                            }
                        }
                        // Every window holds at least one input tap (Keras' `same` rule guarantees it).
                        o &+= c
                    }
                }
            }
        } } }
        return (out, winners)
    }

    /// Gradient of max pooling with respect to its input: each output gradient goes to its winner.
    public static func maxBackward(_ outputGradient: [Float], winners: [Int], inputCount: Int) -> [Float] {
        precondition(outputGradient.count == winners.count, "max pooling: gradient size")
        var dx = [Float](repeating: 0, count: inputCount)
        guard !winners.isEmpty else { return dx }
        precondition(winners.allSatisfy { $0 >= 0 && $0 < inputCount }, "max pooling: winner index out of range")
        outputGradient.withUnsafeBufferPointer { g in winners.withUnsafeBufferPointer { w in dx.withUnsafeMutableBufferPointer { d in
            let gp = g.baseAddress!, wp = w.baseAddress!, dp = d.baseAddress!
            for k in 0..<w.count { dp[wp[k]] += gp[k] }
        } } }
        return dx
    }

    /// Number of window taps inside the input for each output position (`oh · ow` values).
    static func tapCounts(_ g: ConvolutionGeometry) -> [Float] {
        var counts = [Float](repeating: 0, count: g.outputPositions)
        for oy in 0..<g.oh {
            let y0 = oy * g.sh - g.ph
            let rowsIn = (0..<g.kh).filter { y0 + $0 * g.dh >= 0 && y0 + $0 * g.dh < g.ih }.count
            for ox in 0..<g.ow {
                let x0 = ox * g.sw - g.pw
                let colsIn = (0..<g.kw).filter { x0 + $0 * g.dw >= 0 && x0 + $0 * g.dw < g.iw }.count
                counts[oy * g.ow + ox] = Float(rowsIn * colsIn)
            }
        }
        return counts
    }

    /// Average pooling (padding excluded from each mean), output `[B, oh, ow, C]`.
    public static func averageForward(_ input: [Float], batch: Int, geometry g: ConvolutionGeometry) -> [Float] {
        precondition(input.count == batch * g.inputElementCount, "average pooling: input size")
        let c = g.channels
        let counts = tapCounts(g)
        var out = [Float](repeating: 0, count: batch * g.outputPositions * c)
        var o = 0
        for b in 0..<batch {
            let base = b * g.inputElementCount
            for oy in 0..<g.oh {
                let y0 = oy * g.sh - g.ph
                for ox in 0..<g.ow {
                    let x0 = ox * g.sw - g.pw
                    for ki in 0..<g.kh {
                        let y = y0 + ki * g.dh
                        guard y >= 0 && y < g.ih else { continue }
                        for kj in 0..<g.kw {
                            let x = x0 + kj * g.dw
                            guard x >= 0 && x < g.iw else { continue }
                            let at = base + (y * g.iw + x) * c
                            for ch in 0..<c { out[o + ch] += input[at + ch] }
                        }
                    }
                    let scale = 1 / counts[oy * g.ow + ox]
                    for ch in 0..<c { out[o + ch] *= scale }
                    o += c
                }
            }
        }
        return out
    }

    /// Gradient of average pooling with respect to its input.
    public static func averageBackward(_ outputGradient: [Float], batch: Int, geometry g: ConvolutionGeometry) -> [Float] {
        let c = g.channels
        precondition(outputGradient.count == batch * g.outputPositions * c, "average pooling: gradient size")
        let counts = tapCounts(g)
        var dx = [Float](repeating: 0, count: batch * g.inputElementCount)
        var o = 0
        for b in 0..<batch {
            let base = b * g.inputElementCount
            for oy in 0..<g.oh {
                let y0 = oy * g.sh - g.ph
                for ox in 0..<g.ow {
                    let x0 = ox * g.sw - g.pw
                    let scale = 1 / counts[oy * g.ow + ox]
                    for ki in 0..<g.kh {
                        let y = y0 + ki * g.dh
                        guard y >= 0 && y < g.ih else { continue }
                        for kj in 0..<g.kw {
                            let x = x0 + kj * g.dw
                            guard x >= 0 && x < g.iw else { continue }
                            let at = base + (y * g.iw + x) * c
                            for ch in 0..<c { dx[at + ch] += outputGradient[o + ch] * scale }
                        }
                    }
                    o += c
                }
            }
        }
        return dx
    }

    /// Global average pooling: `[B, positions, C]` (any spatial layout, flattened) → `[B, C]`.
    public static func globalAverageForward(_ input: [Float], batch: Int, positions: Int, channels: Int) -> [Float] {
        precondition(input.count == batch * positions * channels && positions > 0, "global pooling: input size")
        var out = [Float](repeating: 0, count: batch * channels)
        // Column sums of each example's positions × channels matrix through BLAS.
        let weights = [Float](repeating: 1 / Float(positions), count: positions)
        guard channels > 0 else { return out }
        input.withUnsafeBufferPointer { a in weights.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in
            for b in 0..<batch {
                LinearAlgebra.gemv(transpose: true, rows: positions, columns: channels, alpha: 1,
                                   a: a.baseAddress! + b * positions * channels, x: x.baseAddress!, beta: 0,
                                   y: y.baseAddress! + b * channels)
            }
        } } }
        return out
    }

    /// Gradient of global average pooling: each position receives `gradient / positions`.
    public static func globalAverageBackward(_ outputGradient: [Float], batch: Int, positions: Int, channels: Int) -> [Float] {
        precondition(outputGradient.count == batch * channels && positions > 0, "global pooling: gradient size")
        var dx = [Float](repeating: 0, count: batch * positions * channels)
        let scale = 1 / Float(positions)
        for b in 0..<batch {
            for t in 0..<positions {
                let at = (b * positions + t) * channels
                for ch in 0..<channels { dx[at + ch] = outputGradient[b * channels + ch] * scale }
            }
        }
        return dx
    }

    /// Global max pooling `[B, positions, C]` → `[B, C]`, with the winning input index of each output.
    public static func globalMaxForward(_ input: [Float], batch: Int, positions: Int, channels: Int) -> (output: [Float], winners: [Int]) {
        precondition(input.count == batch * positions * channels && positions > 0, "global pooling: input size")
        var out = [Float](repeating: 0, count: batch * channels)
        var winners = [Int](repeating: 0, count: batch * channels)
        for b in 0..<batch {
            for ch in 0..<channels {
                var bestIndex = b * positions * channels + ch
                var best = input[bestIndex]
                for t in 1..<max(positions, 1) {
                    let at = (b * positions + t) * channels + ch
                    let v = input[at]
                    if v > best || (v.isNaN && !best.isNaN) { best = v; bestIndex = at }
                }
                out[b * channels + ch] = best
                winners[b * channels + ch] = bestIndex
            }
        }
        return (out, winners)
    }
}
