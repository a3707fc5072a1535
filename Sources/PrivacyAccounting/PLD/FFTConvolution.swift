import CFFTW
import Foundation

/// FFTW's planner is not thread-safe; plans are created and destroyed under this lock.
/// (Executing a plan is thread-safe.) The lock guards no state of ours.
private let fftwPlannerLock = NSLock()

/// Real convolutions by FFT (FFTW3, double precision).
enum FFTConvolution {
    /// The smallest 2^a·3^b·5^c·7^d ≥ n (FFTW is fastest on such sizes).
    static func fastLength(_ n: Int) -> Int {
        var best = Int.max
        var p7 = 1
        while p7 < 2 * n {
            var p5 = p7
            while p5 < 2 * n {
                var p3 = p5
                while p3 < 2 * n {
                    var p2 = p3
                    while p2 < n { p2 *= 2 }
                    if p2 < best { best = p2 }
                    p3 *= 3
                }
                p5 *= 5
            }
            p7 *= 7
        }
        return max(best, 1)
    }

    /// Forward real FFT of `x` zero-padded to `n`; returns n/2+1 complex values (re, im interleaved).
    private static func forward(_ x: [Double], length n: Int) -> [Double] {
        let inBuf = fftw_alloc_real(n)!, outBuf = fftw_alloc_complex(n / 2 + 1)!
        defer { fftw_free(inBuf); fftw_free(outBuf) }
        fftwPlannerLock.lock()
        let plan = fftw_plan_dft_r2c_1d(Int32(n), inBuf, outBuf, UInt32(FFTW_ESTIMATE))
        fftwPlannerLock.unlock()
        for i in 0..<n { inBuf[i] = i < x.count ? x[i] : 0 }
        fftw_execute(plan)
        fftwPlannerLock.lock()
        fftw_destroy_plan(plan)
        fftwPlannerLock.unlock()
        var out = [Double](repeating: 0, count: 2 * (n / 2 + 1))
        let raw = UnsafeMutableRawPointer(outBuf).assumingMemoryBound(to: Double.self)
        for i in 0..<out.count { out[i] = raw[i] }
        return out
    }

    /// Inverse real FFT of n/2+1 complex values to n reals, normalised by 1/n.
    private static func inverse(_ spectrum: [Double], length n: Int) -> [Double] {
        let inBuf = fftw_alloc_complex(n / 2 + 1)!, outBuf = fftw_alloc_real(n)!
        defer { fftw_free(inBuf); fftw_free(outBuf) }
        fftwPlannerLock.lock()
        let plan = fftw_plan_dft_c2r_1d(Int32(n), inBuf, outBuf, UInt32(FFTW_ESTIMATE))
        fftwPlannerLock.unlock()
        let raw = UnsafeMutableRawPointer(inBuf).assumingMemoryBound(to: Double.self)
        for i in 0..<spectrum.count { raw[i] = spectrum[i] }
        fftw_execute(plan)
        fftwPlannerLock.lock()
        fftw_destroy_plan(plan)
        fftwPlannerLock.unlock()
        let scale = 1 / Double(n)
        var out = [Double](repeating: 0, count: n)
        for i in 0..<n { out[i] = outBuf[i] * scale }
        return out
    }

    /// Full linear convolution of `a` and `b` (length a.count + b.count − 1).
    static func convolve(_ a: [Double], _ b: [Double]) -> [Double] {
        let outLength = a.count + b.count - 1
        if a.count * b.count <= 4096 {
            var out = [Double](repeating: 0, count: outLength)
            for i in 0..<a.count { for j in 0..<b.count { out[i + j] += a[i] * b[j] } }
            return out
        }
        let n = fastLength(outLength)
        let fa = forward(a, length: n), fb = forward(b, length: n)
        var prod = [Double](repeating: 0, count: fa.count)
        for k in stride(from: 0, to: fa.count, by: 2) {
            prod[k] = fa[k] * fb[k] - fa[k + 1] * fb[k + 1]
            prod[k + 1] = fa[k] * fb[k + 1] + fa[k + 1] * fb[k]
        }
        return Array(inverse(prod, length: n).prefix(outLength))
    }

    /// Entries offset ..< offset+outputLength of the `count`-fold self-convolution of `x`,
    /// computed as one FFT power on a circular buffer of length ≥ max(outputLength, x.count);
    /// mass outside the window aliases in, which the caller bounds (Chernoff) below the truncation.
    static func selfConvolve(_ x: [Double], count: Int, offset: Int, outputLength: Int) -> [Double] {
        let n = fastLength(max(outputLength, x.count))
        var f = forward(x, length: n)
        // X^count by binary powering (⌈log₂ count⌉ squarings); relative round-off ≈ count·1e-16,
        // the same as exp(count·log X) in polar form, without the transcendental calls.
        for k in stride(from: 0, to: f.count, by: 2) {
            var bre = f[k], bim = f[k + 1]
            var rre = 1.0, rim = 0.0
            var e = count
            while e > 0 {
                if e & 1 == 1 {
                    let t = rre * bre - rim * bim
                    rim = rre * bim + rim * bre
                    rre = t
                }
                e >>= 1
                if e > 0 {
                    let t = bre * bre - bim * bim
                    bim = 2 * bre * bim
                    bre = t
                }
            }
            f[k] = rre
            f[k + 1] = rim
        }
        let y = inverse(f, length: n)
        var out = [Double](repeating: 0, count: outputLength)
        for i in 0..<outputLength {
            var j = (i + offset) % n
            if j < 0 { j += n }
            out[i] = y[j]
        }
        return out
    }
}
