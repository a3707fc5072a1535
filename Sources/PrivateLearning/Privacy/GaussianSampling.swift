import Foundation

/// Standard-normal draws from uniform random bits.
///
/// Bulk noise uses the ziggurat method (Marsaglia & Tsang 2000, 128 layers) with the bits of
/// each 32-bit word split so they never overlap (Doornik 2005's correction): bits 0–6 pick the
/// layer, bit 7 the sign, bits 8–31 the 24-bit position in the layer. ~98.8% of draws take the
/// fast path (one word, one table lookup, one multiply); the rest use exact wedge/tail
/// rejection with fresh 53-bit uniforms. The method is exact up to Float resolution.
public enum GaussianSampling {
    /// Uniform on (0, 1], 53 bits.
    @inlinable
    public static func openUniform<G: RandomNumberGenerator>(using g: inout G) -> Double {
        Double((g.next() >> 11) &+ 1) * 0x1p-53
    }

    /// Two independent standard normals (Box–Muller, Double precision).
    @inlinable
    public static func pair<G: RandomNumberGenerator>(using g: inout G) -> (Double, Double) {
        let u1 = openUniform(using: &g)
        let u2 = Double(g.next() >> 11) * 0x1p-53
        let r = (-2 * Foundation.log(u1)).squareRoot()
        let t = 2 * Double.pi * u2
        return (r * Foundation.cos(t), r * Foundation.sin(t))
    }

    /// One standard normal (Box–Muller).
    @inlinable
    public static func standardNormal<G: RandomNumberGenerator>(using g: inout G) -> Double {
        pair(using: &g).0
    }

    struct Tables: Sendable {
        var k: [UInt32]   // fast-path thresholds on the 24-bit position
        var w: [Float]    // position → x scale per layer
        var f: [Double]   // density at layer edges
        static let r = 3.442619855899
    }

    static let tables: Tables = {
        let m = 16_777_216.0   // 2^24
        var dn = Tables.r, tn = dn
        let vn = 9.91256303526217e-3
        var k = [UInt32](repeating: 0, count: 128), w = [Float](repeating: 0, count: 128), f = [Double](repeating: 0, count: 128)
        let q = vn / exp(-0.5 * dn * dn)
        k[0] = UInt32((dn / q) * m)
        k[1] = 0
        w[0] = Float(q / m)
        w[127] = Float(dn / m)
        f[0] = 1
        f[127] = exp(-0.5 * dn * dn)
        for i in stride(from: 126, through: 1, by: -1) {
            dn = (-2 * log(vn / dn + exp(-0.5 * dn * dn))).squareRoot()
            k[i + 1] = UInt32((dn / tn) * m)
            tn = dn
            f[i] = exp(-0.5 * dn * dn)
            w[i] = Float(dn / m)
        }
        return Tables(k: k, w: w, f: f)
    }()

    /// Slow path for a word that missed the fast test: wedge or tail rejection.
    static func slowPath<G: RandomNumberGenerator>(word first: UInt32, using g: inout G) -> Float {
        let t = tables
        var word = first
        while true {
            let layer = Int(word & 127), negative = word & 128 != 0, u = word >> 8
            if u < t.k[layer] {
                let x = Float(u) * t.w[layer]
                return negative ? -x : x
            }
            if layer == 0 {
                // Tail beyond r (Marsaglia 1964).
                var x = 0.0, y = 0.0
                repeat {
                    x = -log(openUniform(using: &g)) / Tables.r
                    y = -log(openUniform(using: &g))
                } while y + y < x * x
                let v = Float(Tables.r + x)
                return negative ? -v : v
            }
            let x = Double(u) * Double(t.w[layer])
            let uniform = openUniform(using: &g)
            if t.f[layer] + uniform * (t.f[layer - 1] - t.f[layer]) < exp(-0.5 * x * x) {
                return Float(negative ? -x : x)
            }
            word = UInt32(truncatingIfNeeded: g.next())
        }
    }

    /// Fills `out` with independent standard normals.
    ///
    /// Per chunk of 2048: one bulk request for random words; a branch-free pass writes the
    /// fast-path value of every word (sign applied by flipping the sign bit, since an
    /// unpredictable branch costs ~15 cycles when mispredicted) and records the ~1.2% of words
    /// that need the exact slow path; those are then replaced.
    public static func fillStandardNormal(_ out: UnsafeMutableBufferPointer<Float>, source: some NoiseSource) {
        let chunk = 2048
        let words = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: chunk)
        let misses = UnsafeMutablePointer<Int>.allocate(capacity: chunk)
        defer { words.deallocate(); misses.deallocate() }
        var g = source
        tables.k.withUnsafeBufferPointer { kb in
            tables.w.withUnsafeBufferPointer { wb in
                let k = kb.baseAddress!, w = wb.baseAddress!
                var start = 0
                while start < out.count {
                    let n = min(chunk, out.count - start)
                    source.fillRandomWords(UnsafeMutableBufferPointer(rebasing: words[0..<n]))
                    let wp = words.baseAddress!
                    let z = out.baseAddress! + start
                    var missCount = 0
                    for i in 0..<n {
                        let word = wp[i]
                        let layer = Int(word & 127), u = word >> 8
                        let x = Float(u) * w[layer]
                        z[i] = Float(bitPattern: x.bitPattern ^ ((word & 128) << 24))
                        misses[missCount] = i
                        missCount &+= u < k[layer] ? 0 : 1
                    }
                    for m in 0..<missCount {
                        let i = misses[m]
                        z[i] = slowPath(word: wp[i], using: &g)
                    }
                    start += n
                }
            }
        }
    }

    /// Adds `standardDeviation · z` with independent standard normals z to every element.
    public static func addNoise(to values: UnsafeMutableBufferPointer<Float>, standardDeviation: Float,
                                source: some NoiseSource) {
        let chunk = 2048
        let z = UnsafeMutableBufferPointer<Float>.allocate(capacity: chunk)
        defer { z.deallocate() }
        var start = 0
        while start < values.count {
            let n = min(chunk, values.count - start)
            fillStandardNormal(UnsafeMutableBufferPointer(rebasing: z[0..<n]), source: source)
            let v = values.baseAddress! + start
            for i in 0..<n { v[i] += standardDeviation * z[i] }
            start += n
        }
    }
}
