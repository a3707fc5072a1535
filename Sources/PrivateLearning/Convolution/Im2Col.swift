/// Unfolding of sliding windows into matrix rows (im2col) and its adjoint (col2im), so that a
/// convolution becomes one matrix product through BLAS.
///
/// For a batch `[B, H, W, C]` (channels-last) the im2col matrix has `B · positions` rows, one per
/// (example, output position), example-major, and `patchSize = kh · kw · C` columns ordered
/// (tap row, tap column, channel). Taps that fall into the padding are zeros.
public enum Im2Col {
    /// im2col of `batch` examples stored contiguously at `input`, written to `columns`
    /// (`batch · geometry.outputPositions · geometry.patchSize` elements, all overwritten).
    @inlinable
    public static func unfold(_ input: UnsafePointer<Float>, batch: Int, geometry g: ConvolutionGeometry,
                              into columns: UnsafeMutablePointer<Float>) {
        let c = g.channels
        let rowLength = g.kw &* c
        let perExample = g.inputElementCount
        var out = columns
        for b in 0..<batch {
            let image = input + b &* perExample
            for oy in 0..<g.oh {
                let y0 = oy &* g.sh &- g.ph
                for ox in 0..<g.ow {
                    let x0 = ox &* g.sw &- g.pw
                    for ki in 0..<g.kh {
                        let y = y0 &+ ki &* g.dh
                        if y < 0 || y >= g.ih {
                            out.update(repeating: 0, count: rowLength)
                            out += rowLength
                            continue
                        }
                        let line = image + y &* g.iw &* c
                        if g.dw == 1 && x0 >= 0 && x0 &+ g.kw <= g.iw {
                            out.update(from: line + x0 &* c, count: rowLength)
                            out += rowLength
                            continue
                        }
                        for kj in 0..<g.kw {
                            let x = x0 &+ kj &* g.dw
                            if x < 0 || x >= g.iw {
                                out.update(repeating: 0, count: c)
                            } else {
                                out.update(from: line + x &* c, count: c)
                            }
                            out += c
                        }
                    }
                }
            }
        }
    }

    /// col2im: adds every im2col entry back onto the input position it came from (the adjoint
    /// of `unfold`). `output` (`batch · inputElementCount` elements) is zeroed first.
    @inlinable
    public static func fold(_ columns: UnsafePointer<Float>, batch: Int, geometry g: ConvolutionGeometry,
                            into output: UnsafeMutablePointer<Float>) {
        let c = g.channels
        let perExample = g.inputElementCount
        output.update(repeating: 0, count: batch &* perExample)
        var col = columns
        for b in 0..<batch {
            let image = output + b &* perExample
            for oy in 0..<g.oh {
                let y0 = oy &* g.sh &- g.ph
                for ox in 0..<g.ow {
                    let x0 = ox &* g.sw &- g.pw
                    for ki in 0..<g.kh {
                        let y = y0 &+ ki &* g.dh
                        if y < 0 || y >= g.ih { col += g.kw &* c; continue }
                        let line = image + y &* g.iw &* c
                        for kj in 0..<g.kw {
                            let x = x0 &+ kj &* g.dw
                            if x >= 0 && x < g.iw {
                                let dst = line + x &* c
                                for ch in 0..<c { dst[ch] += col[ch] }
                            }
                            col += c
                        }
                    }
                }
            }
        }
    }

    /// Convenience: im2col of a whole array (`batch · inputElementCount` elements).
    public static func unfold(_ input: [Float], batch: Int, geometry: ConvolutionGeometry) -> [Float] {
        precondition(input.count == batch * geometry.inputElementCount, "im2col: input size")
        let n = batch * geometry.outputPositions * geometry.patchSize
        guard n > 0 else { return [] }
        return [Float](unsafeUninitializedCapacity: n) { buffer, count in
            input.withUnsafeBufferPointer { unfold($0.baseAddress!, batch: batch, geometry: geometry, into: buffer.baseAddress!) }
            count = n
        }
    }

    /// Convenience: col2im of a whole array.
    public static func fold(_ columns: [Float], batch: Int, geometry: ConvolutionGeometry) -> [Float] {
        precondition(columns.count == batch * geometry.outputPositions * geometry.patchSize, "col2im: size")
        let n = batch * geometry.inputElementCount
        guard n > 0 else { return [] }
        var out = [Float](repeating: 0, count: n)
        if columns.isEmpty { return out }
        columns.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { fold(src.baseAddress!, batch: batch, geometry: geometry, into: $0.baseAddress!) }
        }
        return out
    }
}
