import CFFTW
import Foundation

/// The 2-D scattering transform (Mallat 2012; Bruna & Mallat 2013; Oyallon & Mallat 2015) with Morlet wavelets, to
/// order 2: a fixed, parameter-free map of one image to translation-invariant features, computed example by example.
///
/// DP meaning: the map depends on the public image shape and on `J`, `L` only, never on other examples, so applying
/// it to every example before training is a per-example pre-processing step of no privacy cost (a neighbouring data
/// set gives neighbouring transformed data, example for example). Tramèr & Boneh (2021) train linear models on these
/// features with DP-SGD.
///
/// For an image `x` (pixels scaled to [0, 1], reflect-padded by `2^J` on each side and to a multiple of `2^J`),
/// with the Gaussian low-pass `φ_J` (σ = 0.8·2^J, sum 1) and the Morlet wavelets `ψ_{j,l}` (σ = 0.8·2^j, centre
/// frequency 3π/4·2^{-j}, orientation πl/L, slant 4/L, zero mean), all periodised on the padded grid:
/// - order 0: `x ⋆ φ_J`;
/// - order 1: `|x ⋆ ψ_{j1,l1}| ⋆ φ_J` for 0 ≤ j1 < J, 0 ≤ l1 < L;
/// - order 2: `||x ⋆ ψ_{j1,l1}| ⋆ ψ_{j2,l2}| ⋆ φ_J` for j1 < j2 < J;
/// each sampled every `2^J` pixels and cropped to the image: `ceil(H/2^J) × ceil(W/2^J)` positions, and
/// `K = 1 + J·L + L²·J(J−1)/2` coefficients per input channel (81 for J = 2, L = 8: a 28×28 image gives 7×7×81).
/// Convolutions are circular, by FFT (FFTW, plans measured once per transform); the low-pass-and-sample step folds the spectrum into the sampled
/// grid instead of transforming back at full size.
public final class ScatteringTransform: @unchecked Sendable {
    /// Input shape `[H, W, C]` (channels last).
    public let height: Int, width: Int, channels: Int
    /// Number of scales (the output is sampled every `2^J` pixels) and of orientations.
    public let scales: Int, orientations: Int
    /// Output `[⌈H/2^J⌉, ⌈W/2^J⌉, C·K]`, channels last; channel `c·K + k` is coefficient k of input channel c
    /// (k = 0: order 0; then order 1 by (j1, l1); then order 2 by (j1, l1, j2, l2)).
    public let outputShape: [Int]
    /// Coefficients per input channel, K.
    public let coefficientsPerChannel: Int
    /// An upper bound of every output for pixels in [0, 1] (outputs are ≥ 0): ‖φ‖₁ = 1 and the largest ‖ψ‖₁
    /// bound orders 1 and 2 (Young's inequality). Public: it depends on the filters only.
    public let bound: Double

    let paddedHeight: Int, paddedWidth: Int, step: Int
    let sampledHeight: Int, sampledWidth: Int
    /// φ̂ (real: φ is even) and ψ̂ (interleaved re, im) on the padded grid.
    let lowPass: [Double]
    let wavelets: [[Double]]
    private let forwardPlan: OpaquePointer, backwardPlan: OpaquePointer, sampledPlan: OpaquePointer

    /// Largest padded grid (pixels) accepted; a larger image is refused rather than allocated.
    public static let maximumPaddedPixels = 1 << 20
    private static let planningLock = NSLock()

    /// - Parameters: `shape` `[H, W]` or `[H, W, C]`; `scales` J in 1…6; `orientations` L in 1…16.
    /// - Throws: `DataFrameError.invalidArgument` for a shape or parameter outside these limits.
    public init(shape: [Int], scales: Int = 2, orientations: Int = 8) throws {
        guard shape.count == 2 || shape.count == 3, shape.allSatisfy({ $0 >= 1 && $0 <= 1 << 16 }) else {
            throw DataFrameError.invalidArgument("scattering needs an image shape [height, width] or [height, width, channels] of positive sizes")
        }
        guard (1...6).contains(scales) else { throw DataFrameError.invalidArgument("scattering J must be in 1…6") }
        guard (1...16).contains(orientations) else { throw DataFrameError.invalidArgument("scattering L must be in 1…16") }
        let h = shape[0], w = shape[1], c = shape.count == 3 ? shape[2] : 1
        let sampling = 1 << scales
        let oh = (h + sampling - 1) / sampling, ow = (w + sampling - 1) / sampling
        let ph = (oh + 2) * sampling, pw = (ow + 2) * sampling
        guard ph * pw <= Self.maximumPaddedPixels else {
            throw DataFrameError.invalidArgument("the image is too large for the scattering transform (padded grid above \(Self.maximumPaddedPixels) pixels)")
        }
        let k = 1 + scales * orientations + orientations * orientations * scales * (scales - 1) / 2
        guard c <= (1 << 24) / (k * oh * ow) else {
            throw DataFrameError.invalidArgument("the scattering output would exceed \(1 << 24) values per example")
        }
        height = h; width = w; channels = c
        self.scales = scales; self.orientations = orientations
        step = sampling
        sampledHeight = oh + 2; sampledWidth = ow + 2
        paddedHeight = ph; paddedWidth = pw
        coefficientsPerChannel = k
        outputShape = [oh, ow, c * k]
        let n = ph * pw, m = (oh + 2) * (ow + 2)
        let a = fftw_alloc_complex(n)!, b = fftw_alloc_complex(n)!, cBuf = fftw_alloc_complex(m)!, dBuf = fftw_alloc_complex(m)!
        defer { fftw_free(a); fftw_free(b); fftw_free(cBuf); fftw_free(dBuf) }
        Self.planningLock.lock()
        let forward: fftw_plan = fftw_plan_dft_2d(Int32(ph), Int32(pw), a, b, FFTW_FORWARD, UInt32(FFTW_MEASURE))
        forwardPlan = forward
        backwardPlan = fftw_plan_dft_2d(Int32(ph), Int32(pw), a, b, FFTW_BACKWARD, UInt32(FFTW_MEASURE))
        sampledPlan = fftw_plan_dft_2d(Int32(oh + 2), Int32(ow + 2), cBuf, dBuf, FFTW_BACKWARD, UInt32(FFTW_MEASURE))
        Self.planningLock.unlock()
        // Filter spectra through the forward plan the transform itself uses (FFTW, unnormalised e^{−2πi…}).
        func spectrum(_ x: [Double]) -> [Double] {
            x.withUnsafeBytes { UnsafeMutableRawPointer(a).copyMemory(from: $0.baseAddress!, byteCount: 2 * n * MemoryLayout<Double>.size) }
            fftw_execute_dft(forward, a, b)
            return Array(UnsafeBufferPointer(start: UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), count: 2 * n))
        }
        let phi = Self.gabor(ph, pw, sigma: 0.8 * Double(sampling), xi: 0, theta: 0, slant: 1)
        let phiSum = stride(from: 0, to: phi.count, by: 2).reduce(0.0) { $0 + phi[$1] }
        lowPass = spectrum(phi.map { $0 / phiSum }).enumerated().compactMap { $0.offset % 2 == 0 ? $0.element : nil }
        var filters: [[Double]] = []
        var largestL1 = 0.0
        for j in 0..<scales {
            for l in 0..<orientations {
                let sigma = 0.8 * Double(1 << j), xi = 0.75 * Double.pi / Double(1 << j)
                let theta = Double.pi * Double(l) / Double(orientations), slant = 4 / Double(orientations)
                let wave = Self.gabor(ph, pw, sigma: sigma, xi: xi, theta: theta, slant: slant)
                let envelope = Self.gabor(ph, pw, sigma: sigma, xi: 0, theta: theta, slant: slant)
                // Morlet: subtract the envelope times K = Σ wave / Σ envelope, so that the filter has zero mean.
                var sw = (0.0, 0.0), se = 0.0
                for i in stride(from: 0, to: wave.count, by: 2) { sw.0 += wave[i]; sw.1 += wave[i + 1]; se += envelope[i] }
                var psi = wave
                var l1 = 0.0
                for i in stride(from: 0, to: psi.count, by: 2) {
                    psi[i] -= sw.0 / se * envelope[i]
                    psi[i + 1] -= sw.1 / se * envelope[i]
                    l1 += (psi[i] * psi[i] + psi[i + 1] * psi[i + 1]).squareRoot()
                }
                largestL1 = max(largestL1, l1)
                filters.append(spectrum(psi))
            }
        }
        wavelets = filters
        bound = max(1, largestL1) * max(1, largestL1)
    }

    deinit {
        Self.planningLock.lock()
        fftw_destroy_plan(forwardPlan); fftw_destroy_plan(backwardPlan); fftw_destroy_plan(sampledPlan)
        Self.planningLock.unlock()
    }

    /// Values per example of the output (`∏ outputShape`).
    public var outputCount: Int { outputShape.reduce(1, *) }

    /// A Gabor filter on the periodic `h × w` grid (origin at index 0), summed over the 5 × 5 nearest periods:
    /// `s/(2πσ²)·exp(−(a² + s²b²)/(2σ²))·exp(iξa)`, with (a, b) the (row, column) offset rotated by θ. Interleaved.
    static func gabor(_ h: Int, _ w: Int, sigma: Double, xi: Double, theta: Double, slant: Double) -> [Double] {
        var out = [Double](repeating: 0, count: 2 * h * w)
        let c = cos(theta), s = sin(theta), norm = slant / (2 * Double.pi * sigma * sigma)
        for i in 0..<h {
            for j in 0..<w {
                var re = 0.0, im = 0.0
                for p in -2...2 {
                    for q in -2...2 {
                        let u = Double(i + p * h), v = Double(j + q * w)
                        let a = u * c + v * s, b = -u * s + v * c
                        let e = norm * exp(-(a * a + slant * slant * b * b) / (2 * sigma * sigma))
                        re += e * cos(xi * a); im += e * sin(xi * a)
                    }
                }
                out[2 * (i * w + j)] = re; out[2 * (i * w + j) + 1] = im
            }
        }
        return out
    }

    /// Per-thread buffers (FFTW-aligned).
    final class Workspace {
        let n: Int, m: Int
        let image: UnsafeMutablePointer<fftw_complex>, spectrum: UnsafeMutablePointer<fftw_complex>
        let first: UnsafeMutablePointer<fftw_complex>, second: UnsafeMutablePointer<fftw_complex>
        let scratch: UnsafeMutablePointer<fftw_complex>
        let folded: UnsafeMutablePointer<fftw_complex>, sampled: UnsafeMutablePointer<fftw_complex>
        init(n: Int, m: Int) {
            self.n = n; self.m = m
            image = fftw_alloc_complex(n)!; spectrum = fftw_alloc_complex(n)!
            first = fftw_alloc_complex(n)!; second = fftw_alloc_complex(n)!; scratch = fftw_alloc_complex(n)!
            folded = fftw_alloc_complex(m)!; sampled = fftw_alloc_complex(m)!
        }
        deinit { for p in [image, spectrum, first, second, scratch, folded, sampled] { fftw_free(p) } }
    }

    func makeWorkspace() -> Workspace { Workspace(n: paddedHeight * paddedWidth, m: sampledHeight * sampledWidth) }

    /// Transforms images: `input` holds `count` images of `H·W·C` pixels in [0, 1] (HWC order), `output` receives
    /// `count · outputCount` values (each image's `outputShape`, HWC), spread over `threads` threads.
    public func transform(_ input: UnsafeBufferPointer<Float>, count: Int, into output: UnsafeMutableBufferPointer<Float>,
                          threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        let pixels = height * width * channels, outs = outputCount
        precondition(input.count >= count * pixels && output.count >= count * outs, "scattering buffers too small")
        guard count > 0 else { return }
        let parts = max(1, min(threads, count))
        let inBase = input.baseAddress!, outBase = output.baseAddress!
        nonisolated(unsafe) let src = inBase, dst = outBase
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let workspace = makeWorkspace()
            let lo = part * count / parts, hi = (part + 1) * count / parts
            for e in lo..<hi {
                transformOne(src + e * pixels, into: dst + e * outs, workspace)
            }
        }
    }

    /// Convenience for small inputs (tests): one image `[H·W·C]` in [0, 1] → `outputCount` values.
    public func transform(_ image: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: outputCount)
        let n = min(image.count, height * width * channels)
        var padded = [Float](repeating: 0, count: height * width * channels)
        padded.replaceSubrange(0..<n, with: image[0..<n])
        padded.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in transform(src, count: 1, into: dst, threads: 1) }
        }
        return out
    }

    /// numpy's `reflect` padding index (the edge not repeated).
    @inline(__always) static func reflect(_ t: Int, _ n: Int) -> Int {
        guard n > 1 else { return 0 }
        let period = 2 * (n - 1)
        var r = t % period
        if r < 0 { r += period }
        return r >= n ? period - r : r
    }

    private func transformOne(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, _ ws: Workspace) {
        let ph = paddedHeight, pw = paddedWidth, n = ph * pw
        let k = coefficientsPerChannel, totalK = channels * k
        let img = UnsafeMutableRawPointer(ws.image).assumingMemoryBound(to: Double.self)
        let spec = UnsafeMutableRawPointer(ws.spectrum).assumingMemoryBound(to: Double.self)
        let first = UnsafeMutableRawPointer(ws.first).assumingMemoryBound(to: Double.self)
        let second = UnsafeMutableRawPointer(ws.second).assumingMemoryBound(to: Double.self)
        let scratch = UnsafeMutableRawPointer(ws.scratch).assumingMemoryBound(to: Double.self)
        let inverseN = 1 / Double(n)
        for c in 0..<channels {
            for i in 0..<ph {
                let r = Self.reflect(i - step, height)
                for j in 0..<pw {
                    let s = Self.reflect(j - step, width)
                    img[2 * (i * pw + j)] = Double(x[(r * width + s) * channels + c]); img[2 * (i * pw + j) + 1] = 0
                }
            }
            fftw_execute_dft(forwardPlan, ws.image, ws.spectrum)
            var coefficient = 0
            func emit(_ spectrum: UnsafeMutablePointer<Double>) {
                lowPassSample(spectrum, into: out, channel: c * k + coefficient, totalChannels: totalK, ws)
                coefficient += 1
            }
            emit(spec)
            // Order 1 (and the order-1 spectra that order 2 starts from).
            var firstOrder: [[Double]] = []
            for j1 in 0..<scales {
                for l1 in 0..<orientations {
                    modulusOfFiltered(spec, wavelets[j1 * orientations + l1], into: first, ws, scratch, inverseN)
                    emit(first)
                    if j1 < scales - 1 { firstOrder.append(Array(UnsafeBufferPointer(start: first, count: 2 * n))) }
                }
            }
            for j1 in 0..<(scales - 1) {
                for l1 in 0..<orientations {
                    firstOrder[j1 * orientations + l1].withUnsafeBufferPointer { u1 in
                        for j2 in (j1 + 1)..<scales {
                            for l2 in 0..<orientations {
                                modulusOfFiltered(UnsafeMutablePointer(mutating: u1.baseAddress!), wavelets[j2 * orientations + l2],
                                                  into: second, ws, scratch, inverseN)
                                emit(second)
                            }
                        }
                    }
                }
            }
        }
    }

    /// `out` ← FFT(|IFFT(spectrum · filter)| / n): the spectrum of the modulus of one wavelet response.
    private func modulusOfFiltered(_ spectrum: UnsafeMutablePointer<Double>, _ filter: [Double], into out: UnsafeMutablePointer<Double>,
                                   _ ws: Workspace, _ scratch: UnsafeMutablePointer<Double>, _ inverseN: Double) {
        let n = paddedHeight * paddedWidth
        filter.withUnsafeBufferPointer { f in
            for i in 0..<n {
                let a = spectrum[2 * i], b = spectrum[2 * i + 1], c = f[2 * i], d = f[2 * i + 1]
                scratch[2 * i] = a * c - b * d; scratch[2 * i + 1] = a * d + b * c
            }
        }
        let response = UnsafeMutableRawPointer(ws.image).assumingMemoryBound(to: Double.self)
        fftw_execute_dft(backwardPlan, ws.scratch, ws.image)
        for i in 0..<n {
            let re = response[2 * i], im = response[2 * i + 1]
            scratch[2 * i] = (re * re + im * im).squareRoot() * inverseN; scratch[2 * i + 1] = 0
        }
        out.withMemoryRebound(to: fftw_complex.self, capacity: n) { fftw_execute_dft(forwardPlan, ws.scratch, $0) }
    }

    /// Low-pass by φ̂ and sampling every `step` pixels by folding the spectrum, then the crop to the image.
    private func lowPassSample(_ spectrum: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Float>,
                               channel: Int, totalChannels: Int, _ ws: Workspace) {
        let ph = paddedHeight, pw = paddedWidth, mh = sampledHeight, mw = sampledWidth
        let folded = UnsafeMutableRawPointer(ws.folded).assumingMemoryBound(to: Double.self)
        let sampled = UnsafeMutableRawPointer(ws.sampled).assumingMemoryBound(to: Double.self)
        for i in 0..<(2 * mh * mw) { folded[i] = 0 }
        for i in 0..<ph {
            let a = i % mh
            for j in 0..<pw {
                let idx = i * pw + j, g = lowPass[idx], t = 2 * (a * mw + j % mw)
                folded[t] += spectrum[2 * idx] * g; folded[t + 1] += spectrum[2 * idx + 1] * g
            }
        }
        fftw_execute_dft(sampledPlan, ws.folded, ws.sampled)
        let scale = 1 / Double(ph * pw), oh = outputShape[0], ow = outputShape[1]
        for i in 0..<oh {
            for j in 0..<ow {
                let v = sampled[2 * ((i + 1) * mw + j + 1)] * scale
                out[(i * ow + j) * totalChannels + channel] = Float(max(0, v))
            }
        }
    }
}
