import Foundation
import PrivateLearning
import Testing

/// The secure Gaussian sampler (AES-256-CTR keystream → ziggurat), checked as a distribution with
/// tolerances derived from the sampling distribution of each statistic (false-alarm ≤ ~1e-6 each).
@Suite("Secure noise sampler (AES-CTR keystream, ziggurat)")
struct SecureNoiseSamplerTests {
    func standardNormalQuantile(_ p: Double) -> Double {
        // Bisection on erfc: plenty for 64 bin edges.
        var lo = -10.0, hi = 10.0
        for _ in 0..<80 {
            let mid = (lo + hi) / 2
            if 0.5 * erfc(-mid / 2.0.squareRoot()) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// n = 2¹⁹ draws (8 MiB-ish of keystream, many 64 KiB refills) into k = 64 equiprobable bins:
    /// χ² with 63 degrees of freedom has mean 63 and sd √126 ≈ 11.2; 63 + 7·11.2 ≈ 142 is exceeded
    /// by chance with probability < 1e-6 (Wilson–Hilferty).
    @Test("equiprobable-bin χ² of secure normals")
    func chiSquaredBins() {
        let n = 1 << 19, k = 64
        var z = [Float](repeating: 0, count: n)
        SecureRandomSource().addGaussianNoise(to: &z, standardDeviation: 1)
        let edges = (1..<k).map { standardNormalQuantile(Double($0) / Double(k)) }
        var counts = [Int](repeating: 0, count: k)
        for v in z {
            let x = Double(v)
            var lo = 0, hi = edges.count
            while lo < hi { let mid = (lo + hi) / 2; if x < edges[mid] { hi = mid } else { lo = mid + 1 } }
            counts[lo] += 1
        }
        let expected = Double(n) / Double(k)
        let chi2 = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        #expect(chi2 < 142, "chi2 \(chi2)")
    }

    /// Lag-1 and lag-16384 (one refill of words) sample correlations of n = 2¹⁹ independent normals:
    /// each ≈ N(0, 1/n), sd 0.00138; 5.5 sd = 0.0076 (two-sided false alarm < 1e-7 each).
    /// Catches a keystream that repeats across refills or words reused between draws.
    @Test("secure normals are uncorrelated across draws and refills")
    func noSerialCorrelation() {
        let n = 1 << 19
        var z = [Float](repeating: 0, count: n)
        SecureRandomSource().addGaussianNoise(to: &z, standardDeviation: 1)
        for lag in [1, 16_384] {
            var s = 0.0
            for i in 0..<(n - lag) { s += Double(z[i]) * Double(z[i + lag]) }
            let r = s / Double(n - lag)
            #expect(abs(r) < 5.5 / Double(n).squareRoot(), "lag \(lag): correlation \(r)")
        }
    }

    /// Scale: `addGaussianNoise(σ)` adds σ·z. n = 2¹⁸ draws at σ = 3: the sample variance has
    /// standard error σ²·√(2/n) = 0.0249; allowed 5.5 se = 0.137 around 9.
    @Test("noise scale is the requested standard deviation")
    func standardDeviationScales() {
        let n = 1 << 18
        var z = [Float](repeating: 1, count: n)
        SecureRandomSource().addGaussianNoise(to: &z, standardDeviation: 3)
        let d = z.map { Double($0) - 1 }
        let variance = d.reduce(0) { $0 + $1 * $1 } / Double(n)
        #expect(abs(variance - 9) < 5.5 * 9 * (2 / Double(n)).squareRoot(), "variance \(variance)")
    }
}

@Suite("OpenBLAS kernel selection")
struct BLASKernelSelectionTests {
    let avx512: Set<String> = ["sse2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]

    @Test("a generic fallback core on an AVX-512 CPU picks SkylakeX, on AVX2+FMA Haswell")
    func picksFasterCore() {
        #expect(BLASKernelSelection.preferredCoreType(coreName: "Prescott", cpuFlags: avx512, environment: [:]) == "SkylakeX")
        #expect(BLASKernelSelection.preferredCoreType(coreName: "Prescott", cpuFlags: ["avx2", "fma"], environment: [:]) == "Haswell")
        #expect(BLASKernelSelection.preferredCoreType(coreName: "Core2", cpuFlags: ["sse2", "avx"], environment: [:]) == nil)
    }

    @Test("a recognised core, a user's OPENBLAS_CORETYPE or the re-exec marker keeps OpenBLAS's choice")
    func respectsUserAndMarker() {
        #expect(BLASKernelSelection.preferredCoreType(coreName: "Zen", cpuFlags: avx512, environment: [:]) == nil)
        #expect(BLASKernelSelection.preferredCoreType(coreName: "Haswell", cpuFlags: avx512, environment: [:]) == nil)
        #expect(BLASKernelSelection.preferredCoreType(coreName: "Prescott", cpuFlags: avx512,
                                                       environment: ["OPENBLAS_CORETYPE": "Prescott"]) == nil)
        #expect(BLASKernelSelection.preferredCoreType(coreName: "Prescott", cpuFlags: avx512,
                                                       environment: [BLASKernelSelection.markerVariable: "1"]) == nil)
    }

    @Test("the core name OpenBLAS reports is not empty")
    func coreNameReadable() {
        #expect(!BLASKernelSelection.coreName.isEmpty)
    }
}
