import Foundation
import Testing

/// Snapshots of CLI output that must stay stable (plan tables, validation messages). Re-record with
/// `DPFLOW_RECORD_SNAPSHOTS=1 swift test --filter SnapshotTests`.
@Suite("CLI snapshots", .serialized)
struct SnapshotTests {
    static let folder = Fixtures.repositoryRoot + "/Tests/DPPipelineTests/Snapshots"

    static func check(_ name: String, _ actual: String) throws {
        let path = folder + "/" + name
        if ProcessInfo.processInfo.environment["DPFLOW_RECORD_SNAPSHOTS"] == "1" {
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(actual == expected, "snapshot \(name) differs; re-record with DPFLOW_RECORD_SNAPSHOTS=1 if intended")
    }

    /// Only the example with an explicit σ: a calibrated σ may move in its 4th digit when the accountant's
    /// search changes (within its 1e-4 tolerance), which is not a regression of the plan.
    @Test("dpflow plan on an example pipeline", arguments: ["breast_cancer"])
    func plan(_ name: String) throws {
        // The per-user default ledger before its first use (the folder does not exist): privacy.budget would be granted.
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_DATA_HOME"] = "/nonexistent"
        environment["DPFLOW_LEDGER"] = nil
        let r = try CommandLineTests.dpflow(["plan", "pipelines/\(name).yaml"], in: Fixtures.repositoryRoot, environment: environment)
        #expect(r.code == 0)
        try Self.check("plan-\(name).txt", r.stdout)
    }

    @Test("dpflow validate on a file with problems in both phases")
    func validate() throws {
        let dir = Fixtures.temporaryDirectory()
        let text = Fixtures.validBreastCancer
            .replacingOccurrences(of: "data/breast_cancer.csv", with: Fixtures.data + "/breast_cancer.csv")
            .replacingOccurrences(of: "- dense: {units: 8", with: "- dens: {units: 8")
            .replacingOccurrences(of: "test_fraction: 0.2", with: "test_fraction: 0")
            .replacingOccurrences(of: "optimizer: {adam:", with: "optimizer: {adamm:")
            .replacingOccurrences(of: "  dataset: test-bc", with: "  dataset: test-bc\n  acountant: rdp")
        try text.write(toFile: dir + "/broken.yaml", atomically: true, encoding: .utf8)
        let r = try CommandLineTests.dpflow(["validate", "broken.yaml"], in: dir)
        #expect(r.code == 1)
        try Self.check("validate-broken.txt", r.stderr)
    }
}
