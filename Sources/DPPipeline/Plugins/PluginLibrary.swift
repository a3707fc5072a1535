import Crypto
import Foundation
import PrivateLearning

/// A plugin library that was loaded into this process: its file, the file's SHA-256 and what it registered.
/// Listed in `report.json` (`plugin_libraries`) so that the reader of a report knows which third-party code ran.
public struct LoadedPluginLibrary: Codable, Sendable, Equatable {
    /// The path as the operator or the pipeline file named it.
    public var path: String
    /// Hex SHA-256 of the file's bytes as read at load time.
    public var sha256: String
    /// Names the library registered, as `kind:name` (`layer:gated_linear`).
    public var registered: [String]
}

/// Errors of loading a plugin library. They name the file, never any data value.
public enum PluginLibraryError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The file does not exist or is not a regular file.
    case notFound(path: String)
    /// `dlopen` refused the file (not a shared object, missing dependency …); `reason` is the loader's text.
    case notLoadable(path: String, reason: String)
    /// The library does not export `dpflow_plugin_entry`.
    case noEntryPoint(path: String)
    /// Plugin-API version, toolchain or layout fingerprint differ, or the library's registration threw.
    case refused(path: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let path):
            "plugin library '\(path)': no such file (only explicitly named files are loaded; give the path to the .so)"
        case .notLoadable(let path, let reason):
            "plugin library '\(path)' cannot be loaded: \(reason)"
        case .noEntryPoint(let path):
            "plugin library '\(path)' exports no '\(PluginLibraryABI.entryPointSymbol)'; is it a dpflow plugin built from a "
                + "SwiftPM .dynamic library product with the @_cdecl entry point (see docs/plugins.md)?"
        case .refused(let path, let reason):
            "plugin library '\(path)' refused: \(reason)"
        }
    }
}

/// Loads plugin libraries with `dlopen`. Only the exact files named are loaded (a name without '/' is made
/// relative to the current directory, never searched for on the library path), each at most once per
/// process; a library is never unloaded because the registry keeps its factories.
///
/// A plugin runs with dpflow's privileges and can break every privacy guarantee.
public enum PluginLibraryLoader {
    /// Loads the library at `path` (relative paths against `directory`) and lets it register into `registry`.
    /// The registry is changed only when the library's registration succeeds as a whole.
    public static func load(path: String, relativeTo directory: String = FileManager.default.currentDirectoryPath,
                            into registry: inout PluginRegistry) throws -> LoadedPluginLibrary {
        var stages = StageRegistry()
        return try load(path: path, relativeTo: directory, into: &registry, stages: &stages)
    }

    /// Loads the library at `path` into `registry`; stages it registers (`PluginRegistry.registerStage`) go into
    /// `stages`. Both change only when the whole registration succeeds.
    public static func load(path: String, relativeTo directory: String = FileManager.default.currentDirectoryPath,
                            into registry: inout PluginRegistry, stages: inout StageRegistry) throws -> LoadedPluginLibrary {
        let absolute = path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
        let resolved = (absolute as NSString).resolvingSymlinksInPath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), !isDirectory.boolValue,
              let bytes = FileManager.default.contents(atPath: resolved) else {
            throw PluginLibraryError.notFound(path: path)
        }
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        guard let handle = dlopen(resolved, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw PluginLibraryError.notLoadable(path: path, reason: reason)
        }
        guard let symbol = dlsym(handle, PluginLibraryABI.entryPointSymbol) else {
            throw PluginLibraryError.noEntryPoint(path: path)
        }
        typealias Entry = @convention(c) (UnsafeMutableRawPointer?) -> Int32
        let entry = unsafeBitCast(symbol, to: Entry.self)

        var candidate = registry
        let before = Set(PluginKind.allCases.flatMap { kind in candidate.names(of: kind).map { "\(kind.rawValue):\($0)" } })
        let capacity = 4096
        let message = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        message.initialize(repeating: 0, count: capacity)
        defer { message.deallocate() }
        let fingerprint = strdup(PluginLibraryABI.buildFingerprint)
        defer { free(fingerprint) }
        let block = UnsafeMutableRawPointer.allocate(byteCount: 40, alignment: 8)
        defer { block.deallocate() }
        let status = withUnsafeMutablePointer(to: &candidate) { registryPointer -> Int32 in
            block.storeBytes(of: PluginLibraryABI.handshakeMagic, toByteOffset: 0, as: UInt32.self)
            block.storeBytes(of: PluginLibraryABI.apiVersion, toByteOffset: 4, as: UInt32.self)
            block.storeBytes(of: UnsafePointer(fingerprint), toByteOffset: 8, as: UnsafePointer<CChar>?.self)
            block.storeBytes(of: UnsafeMutableRawPointer(registryPointer), toByteOffset: 16, as: UnsafeMutableRawPointer?.self)
            block.storeBytes(of: message, toByteOffset: 24, as: UnsafeMutablePointer<UInt8>?.self)
            block.storeBytes(of: capacity, toByteOffset: 32, as: Int.self)
            return entry(block)
        }
        guard status == PluginLibraryABI.Status.registered.rawValue else {
            var text = String(cString: message)
            if text.isEmpty {
                text = status == PluginLibraryABI.Status.malformedHandshake.rawValue
                    ? "the library does not understand this dpflow's handshake (built against another dpflow?)"
                    : "entry point returned status \(status)"
            }
            throw PluginLibraryError.refused(path: path, reason: text)
        }
        var after = PluginKind.allCases.flatMap { kind in candidate.names(of: kind).map { "\(kind.rawValue):\($0)" } }
        after += candidate.stageDefinitions.map { "stage:\($0.name)" }
        var candidateStages = stages
        do { try candidate.moveStages(into: &candidateStages) } catch {
            throw PluginLibraryError.refused(path: path, reason: "\(error)")
        }
        registry = candidate
        stages = candidateStages
        return LoadedPluginLibrary(path: path, sha256: digest, registered: after.filter { !before.contains($0) }.sorted())
    }
}

extension PipelineEnvironment {
    /// Loads plugin libraries into this environment's registry (see `PluginLibraryLoader`); a file already
    /// loaded into this environment (same resolved path) is skipped.
    public mutating func loadPluginLibraries(_ paths: [String],
                                             relativeTo directory: String = FileManager.default.currentDirectoryPath) throws {
        for path in paths {
            let absolute = path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
            let resolved = (absolute as NSString).resolvingSymlinksInPath
            if loadedLibraryPaths.contains(resolved) { continue }
            let loaded = try PluginLibraryLoader.load(path: path, relativeTo: directory, into: &plugins, stages: &stages)
            loadedLibraries.append(loaded)
            loadedLibraryPaths.append(resolved)
        }
    }
}
