import CBLAS
import Foundation

/// Picks OpenBLAS's compute kernels when its own CPU detection falls back to a generic core.
///
/// OpenBLAS built with `DYNAMIC_ARCH` (Debian's 0.3.21) chooses its kernels once, when the library
/// loads, from `cpuid`. A CPU newer than the library (e.g. Sapphire Rapids under 0.3.21) is not
/// recognised and gets the generic `Prescott` (SSE3) kernels: measured here, `sgemm` 512³ ran at
/// 3 GFLOP/s with them against 80 (Haswell kernels) and 145 (SkylakeX kernels) on the same core.
/// The only switch OpenBLAS offers is the environment variable `OPENBLAS_CORETYPE`, read before
/// `main`; so an executable that wants the right kernels re-executes itself once with it set.
///
/// Never overrides a user's own `OPENBLAS_CORETYPE`, and marks the re-executed process with
/// `DPFLOW_OPENBLAS_REEXEC` so it cannot loop.
public enum BLASKernelSelection {
    /// Marker set in the environment of the re-executed process.
    public static let markerVariable = "DPFLOW_OPENBLAS_REEXEC"

    /// Cores OpenBLAS reports when it did not recognise the CPU (generic fallbacks without AVX2 kernels).
    static let genericCores: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem", "atom",
                                            "katmai", "coppermine", "northwood", "banias", "generic", "unknown"]

    /// The name of the kernels OpenBLAS chose (`openblas_get_corename`), e.g. `Haswell`.
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The `OPENBLAS_CORETYPE` to run with, or nil to keep OpenBLAS's choice.
    /// - Parameters:
    ///   - coreName: what OpenBLAS chose.
    ///   - cpuFlags: the CPU's feature flags (`/proc/cpuinfo` names: `avx2`, `fma`, `avx512f`, …).
    ///   - environment: the process environment (a user's `OPENBLAS_CORETYPE` or the marker ⇒ nil).
    public static func preferredCoreType(coreName: String, cpuFlags: Set<String>, environment: [String: String]) -> String? {
        if environment["OPENBLAS_CORETYPE"] != nil || environment[markerVariable] != nil { return nil }
        guard genericCores.contains(coreName.lowercased()) else { return nil }
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(cpuFlags.contains) { return "SkylakeX" }
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") { return "Haswell" }
        return nil
    }

    /// The feature flags of the first CPU in `/proc/cpuinfo` (empty where there is none).
    public static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return []
    }

    /// Call first thing in `main` of an executable: when OpenBLAS fell back to generic kernels on a
    /// CPU with AVX2+FMA (or AVX-512), re-executes the process (same arguments, `/proc/self/exe`)
    /// with `OPENBLAS_CORETYPE` set. Returns normally when nothing is to be done or `execv` fails
    /// (then the process keeps the generic kernels: slower, still correct).
    public static func reexecWithFasterKernelsIfNeeded() {
        let environment = ProcessInfo.processInfo.environment
        guard let core = preferredCoreType(coreName: coreName, cpuFlags: cpuFlags(), environment: environment) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv(markerVariable, "1", 1)
        let arguments = CommandLine.arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        cArguments.append(nil)
        execv("/proc/self/exe", cArguments)
        // execv returned: it failed; continue in this process with the kernels we have.
        for p in cArguments { free(p) }
        unsetenv("OPENBLAS_CORETYPE")
    }
}
