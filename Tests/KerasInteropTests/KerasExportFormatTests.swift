import Foundation
import Testing
@testable import KerasInterop

/// Where tests leave exported files for scripts/keras/check_export.py: the directory named by
/// DPFLOW_KERAS_EXPORT_DIR, else a temporary directory that is removed afterwards.
enum ExportDirectory {
    static func make(_ label: String) throws -> (url: URL, keep: Bool) {
        if let path = ProcessInfo.processInfo.environment["DPFLOW_KERAS_EXPORT_DIR"], !path.isEmpty {
            let url = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return (url, true)
        }
        return (try FixtureFiles.temporaryDirectory(label), false)
    }
}

@Suite("Keras JSON writing")
struct KerasExportFormatTests {
    @Test("spec → Keras JSON → spec is the identity, for both generations written",
          arguments: KerasGeneration.allCases, KerasFixtures.models)
    func specRoundTrip(imported: KerasGeneration, model: String) throws {
        let spec = try KerasModelSpec(contentsOf: KerasFixtures.jsonURL(imported, model))
        for written in KerasGeneration.allCases {
            let json = try spec.kerasJSON(generation: written)
            let back = try KerasModelSpec(json: json, file: "export.json")
            #expect(back.generation == written)
            #expect(back.inputShape == spec.inputShape)
            #expect(back.name == spec.name)
            #expect(back.layers == spec.layers, "\(model) \(imported) → \(written)")
        }
    }

    @Test("written JSON has each generation's spelling")
    func spelling() throws {
        let spec = try KerasModelSpec(contentsOf: KerasFixtures.jsonURL(.keras2, "mlp_softmax"))
        let k3 = spec.kerasConfig(generation: .keras3)
        #expect(k3["module"] == .string("keras"))
        #expect(k3["config"]?["layers"]?.listValue?.first?["config"]?["batch_shape"] == .list([.null, .int(30)]))
        #expect(k3["config"]?["layers"]?.listValue?[1]["config"]?["kernel_initializer"]?["class_name"] == .string("GlorotUniform"))
        let k2 = spec.kerasConfig(generation: .keras2)
        #expect(k2["keras_version"]?.stringValue?.hasPrefix("2.") == true)
        #expect(k2["config"]?["layers"]?.listValue?.first?["config"]?["batch_input_shape"] == .list([.null, .int(30)]))
        #expect(k2["config"]?["layers"]?.listValue?[1]["config"]?["dtype"] == .string("float32"))
    }

    /// Writes each fixture re-exported by dpflow with the fixture's own weights and Keras
    /// predictions, so check_export.py can load the JSON with real Keras (format check that
    /// needs no dpflow layers).
    /// Also writes each generation's fixture in the other generation's spelling
    /// (`fixture_<model>_from_keras2.keras3.json`).
    @Test("fixtures re-exported as JSON + npz (for check_export.py)",
          arguments: KerasGeneration.allCases, KerasGeneration.allCases)
    func reexportFixtures(generation: KerasGeneration, written: KerasGeneration) throws {
        let (directory, keep) = try ExportDirectory.make("format")
        defer { if !keep { try? FileManager.default.removeItem(at: directory) } }
        for model in KerasFixtures.models {
            let spec = try KerasModelSpec(contentsOf: KerasFixtures.jsonURL(generation, model))
            let origin = generation == written ? "" : "_from_\(generation.rawValue)"
            let stem = directory.appendingPathComponent("fixture_\(model)\(origin).\(written.rawValue)")
            try spec.kerasJSON(generation: written).write(to: stem.appendingPathExtension("json"))
            let weights = try NumpyArchive(contentsOf: FixtureFiles.url("\(generation.rawValue)/\(model).weights.npz"))
            try NumpyArchive(arrays: weights.arrays).write(to: stem.appendingPathExtension("weights.npz"))
            let batch = try NumpyArchive(contentsOf: FixtureFiles.url("\(generation.rawValue)/\(model).batch.npz"))
            try NumpyArchive(entries: batch.entries).write(to: stem.appendingPathExtension("batch.npz"))
            #expect(try NumpyArchive(contentsOf: stem.appendingPathExtension("weights.npz")) == weights)
        }
    }
}
