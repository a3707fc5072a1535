/// The contract between `dpflow` and a plugin library (a shared object built from a SwiftPM
/// `.dynamic` library product), checked before either side touches the other's Swift types.
///
/// A plugin library exports exactly one C symbol, `dpflow_plugin_entry`:
/// ```swift
/// import PrivateLearning
///
/// @_cdecl("dpflow_plugin_entry")
/// public func dpflowPluginEntry(_ host: UnsafeMutableRawPointer?) -> Int32 {
///     PluginLibraryABI.enter(host) { registry in try MyPlugins.register(into: &registry) }
/// }
/// ```
/// The host passes a C-layout handshake block (version 1, never changed; a new layout gets a new magic):
///
/// | offset | C type          | meaning                                                |
/// |--------|-----------------|--------------------------------------------------------|
/// | 0      | `uint32_t`      | magic `0x44504C47` ("DPLG")                            |
/// | 4      | `uint32_t`      | the host's plugin-API version (`apiVersion`)           |
/// | 8      | `const char *`  | the host's build fingerprint (`buildFingerprint`)      |
/// | 16     | `void *`        | the registry (`PluginRegistry *`), valid for the call  |
/// | 24     | `char *`        | buffer for a NUL-terminated error message              |
/// | 32     | `intptr_t`      | the buffer's capacity in bytes                         |
///
/// `enter` is emitted into the plugin (`@_alwaysEmitIntoClient`), so the version and fingerprint it
/// compares are the ones the plugin was **compiled** with, not the host's: a plugin built against
/// another dpflow API version or another Swift toolchain is refused with a message, before any
/// Swift value crosses the boundary.
///
/// A plugin runs inside dpflow with dpflow's privileges: it can read the data, the ledger and the
/// noise, and it can break every privacy guarantee. Load only libraries you built or reviewed.
public enum PluginLibraryABI {
    /// The C symbol every plugin library exports.
    public static let entryPointSymbol = "dpflow_plugin_entry"

    /// Magic number of handshake layout version 1 ("DPLG").
    public static let handshakeMagic: UInt32 = 0x4450_4C47

    /// Version of the public plugin API (`Layer`, `Loss`, `Optimizer`, `PluginRegistry`, `Tensor` …).
    /// Bump it whenever a public declaration a plugin can use changes shape; plugins built against
    /// another version are refused.
    @_alwaysEmitIntoClient
    public static var apiVersion: UInt32 { 4 }

    /// Result codes of the entry point.
    public enum Status: Int32, Sendable {
        case registered = 0
        case apiVersionMismatch = 1
        case fingerprintMismatch = 2
        case registrationFailed = 3
        case malformedHandshake = 4
    }

    /// The Swift toolchain (compiler version, to the patch level this file distinguishes), the
    /// platform, and the sizes of the types that cross the boundary, as compiled into the caller.
    @_alwaysEmitIntoClient
    public static var buildFingerprint: String {
        var compiler = "unknown"
        #if compiler(>=7.0)
        compiler = ">=7.0"
        #elseif compiler(>=6.4)
        compiler = "6.4"
        #elseif compiler(>=6.3.2)
        compiler = "6.3.2+"
        #elseif compiler(>=6.3.1)
        compiler = "6.3.1"
        #elseif compiler(>=6.3)
        compiler = "6.3.0"
        #elseif compiler(>=6.2)
        compiler = "6.2"
        #elseif compiler(>=6.1)
        compiler = "6.1"
        #elseif compiler(>=6.0)
        compiler = "6.0"
        #endif
        var arch = "other"
        #if arch(x86_64)
        arch = "x86_64"
        #elseif arch(arm64)
        arch = "arm64"
        #endif
        var os = "other"
        #if os(Linux)
        os = "linux"
        #elseif os(macOS)
        os = "macos"
        #endif
        let sizes = [MemoryLayout<PluginRegistry>.size, MemoryLayout<Tensor>.size, MemoryLayout<PluginParameter>.size,
                     MemoryLayout<ParameterDescription>.size, MemoryLayout<PrivateLearningError>.size]
        return "dpflow-plugin-api \(apiVersion); swift \(compiler); \(arch)-\(os); sizes "
            + sizes.map(String.init).joined(separator: ",")
    }

    /// The plugin side of the handshake: checks the host's magic, API version and fingerprint against
    /// the plugin's own, then lets `register` add plugins to the host's registry. Never traps; every
    /// refusal writes a message into the host's buffer.
    @_alwaysEmitIntoClient
    public static func enter(_ host: UnsafeMutableRawPointer?,
                             register: (inout PluginRegistry) throws -> Void) -> Int32 {
        guard let host, host.load(fromByteOffset: 0, as: UInt32.self) == handshakeMagic else {
            return Status.malformedHandshake.rawValue
        }
        let buffer = host.load(fromByteOffset: 24, as: UnsafeMutablePointer<UInt8>?.self)
        let capacity = host.load(fromByteOffset: 32, as: Int.self)
        func fail(_ status: Status, _ message: String) -> Int32 {
            if let buffer, capacity > 0 {
                let bytes = Array(message.utf8.prefix(capacity - 1))
                for (i, b) in bytes.enumerated() { buffer[i] = b }
                buffer[bytes.count] = 0
            }
            return status.rawValue
        }
        let hostVersion = host.load(fromByteOffset: 4, as: UInt32.self)
        guard hostVersion == apiVersion else {
            return fail(.apiVersionMismatch,
                        "the library was built against dpflow plugin API \(apiVersion) but this dpflow has API \(hostVersion); "
                            + "rebuild the plugin against this dpflow checkout")
        }
        guard let fingerprintPointer = host.load(fromByteOffset: 8, as: UnsafePointer<CChar>?.self) else {
            return Status.malformedHandshake.rawValue
        }
        let hostFingerprint = String(cString: fingerprintPointer)
        guard hostFingerprint == buildFingerprint else {
            return fail(.fingerprintMismatch,
                        "the library was built as '\(buildFingerprint)' but this dpflow is '\(hostFingerprint)'; "
                            + "rebuild the plugin with the same Swift toolchain against the same dpflow checkout")
        }
        guard let registry = host.load(fromByteOffset: 16, as: UnsafeMutablePointer<PluginRegistry>?.self) else {
            return Status.malformedHandshake.rawValue
        }
        do {
            try register(&registry.pointee)
        } catch {
            return fail(.registrationFailed, "\(error)")
        }
        return Status.registered.rawValue
    }
}
