import Foundation
import KerasInterop
import PrivateLearning
import StandardPlugins
import Testing

/// Issue 12: a `.npz` zip bomb must be refused from its declared sizes before it is inflated,
/// and inflation must stop at the declared size when the archive lies about it.
///
/// Fixture `numpy/bomb_40mb.npz` (39 KB): one deflated entry `arr_0.npy`, a valid float32 array of
/// 10⁷ zeros (40 MB inflated), made by `scripts/make_npz_bomb.py`. The tests patch its size fields
/// in memory to make it lie.
@Suite struct NpzBombTests {
    static let declaredSize: UInt32 = 40_000_128

    static func bomb() throws -> Data { try Data(contentsOf: FixtureFiles.url("numpy/bomb_40mb.npz")) }

    /// Rewrites the uncompressed-size field of every local (offset 22) and central (offset 24)
    /// header of `arr_0.npy`.
    static func withDeclaredSize(_ size: UInt32, _ data: Data) -> Data {
        var bytes = [UInt8](data)
        func patch(signature: [UInt8], offset: Int) {
            var i = 0
            while i + 4 <= bytes.count {
                if Array(bytes[i..<(i + 4)]) == signature, i + offset + 4 <= bytes.count {
                    for k in 0..<4 { bytes[i + offset + k] = UInt8((size >> (8 * UInt32(k))) & 0xFF) }
                }
                i += 1
            }
        }
        patch(signature: [0x50, 0x4B, 0x03, 0x04], offset: 22)
        patch(signature: [0x50, 0x4B, 0x01, 0x02], offset: 24)
        return Data(bytes)
    }

    static func write(_ data: Data, _ label: String) throws -> URL {
        let url = try FixtureFiles.temporaryDirectory(label).appendingPathComponent("w.npz")
        try data.write(to: url)
        return url
    }

    static func reason(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let KerasInteropError.invalidNumpyArchive(_, reason) { return reason } catch {
            return "unexpected \(error)"
        }
    }

    @Test func honestBombIsRefusedByTheExpectedShapesBeforeInflating() throws {
        let url = try Self.write(try Self.bomb(), "honest")
        // The model expects a 3×4 kernel and a bias of 4: at most 128 bytes of values plus a header.
        let why = Self.reason { _ = try NumpyArchive(contentsOf: url, expectedElementCounts: [12, 4]) }
        #expect(why?.contains("declares \(Self.declaredSize) uncompressed bytes") == true, "\(why ?? "accepted")")
    }

    @Test func declaredSizeAboveTheHardCapIsRefused() throws {
        let url = try Self.write(try Self.bomb(), "cap")
        let limits = NumpyArchiveLimits(maximumEntryBytes: 1 << 20, maximumTotalBytes: 1 << 20, maximumEntries: 10)
        let why = Self.reason { _ = try NumpyArchive(contentsOf: url, limits: limits) }
        #expect(why?.contains("more than the limit of 1048576 bytes per entry") == true, "\(why ?? "accepted")")
        #expect(NumpyArchiveLimits.standard.maximumTotalBytes <= 4 << 30)
    }

    @Test func lyingBombStopsAtItsDeclaredSize() throws {
        let url = try Self.write(Self.withDeclaredSize(4096, try Self.bomb()), "lying")
        let why = Self.reason { _ = try NumpyArchive(contentsOf: url) }
        #expect(why?.contains("inflates to more than its declared 4096 bytes") == true, "\(why ?? "accepted")")
    }

    @Test func structureCheckInflatesNothing() throws {
        let url = try Self.write(try Self.bomb(), "structure")
        try NumpyArchive.checkStructure(contentsOf: url)   // 40 MB declared: within the default caps
        let limits = NumpyArchiveLimits(maximumEntryBytes: 1 << 20, maximumTotalBytes: 1 << 20, maximumEntries: 10)
        #expect(throws: KerasInteropError.self) { try NumpyArchive.checkStructure(contentsOf: url, limits: limits) }
    }

    @Test func kerasImportBoundsTheWeightsByTheModel() throws {
        let dir = try FixtureFiles.temporaryDirectory("import")
        let weights = dir.appendingPathComponent("w.npz")
        try Self.bomb().write(to: weights)
        let json = FixtureFiles.url("keras3/binary_sigmoid.json")
        var registry = PluginRegistry()
        try StandardPlugins.register(into: &registry)
        let problems = KerasModelImporter.problems(kerasJSON: json.path, weights: weights.path, relativeTo: dir,
                                                   registry: registry, featureWidth: nil)
        #expect(problems.contains { "\($0)".contains("declares \(Self.declaredSize) uncompressed bytes") }, "\(problems)")
    }
}

/// Issue 12: a Keras model with a billion-unit layer is refused from its shapes, not allocated.
@Suite struct KerasResourceLimitTests {
    @Test func billionUnitDenseIsRefusedAtValidate() throws {
        let dir = try FixtureFiles.temporaryDirectory("huge")
        let text = try String(contentsOf: FixtureFiles.url("keras3/binary_sigmoid.json"), encoding: .utf8)
            .replacingOccurrences(of: "\"units\": 8,", with: "\"units\": 1000000000,")
        #expect(text.contains("1000000000"))
        let json = dir.appendingPathComponent("huge.json")
        try text.write(to: json, atomically: true, encoding: .utf8)
        var registry = PluginRegistry()
        try StandardPlugins.register(into: &registry)
        let problems = KerasModelImporter.problems(kerasJSON: json.path, weights: nil, relativeTo: dir,
                                                   registry: registry, featureWidth: 30)
        #expect(problems.contains { "\($0)".contains("model too large") }, "\(problems)")
    }
}
