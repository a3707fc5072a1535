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

    @Test("dpflow plan on the example pipelines", arguments: ["quickstart", "breast_cancer", "digits"])
    func plan(_ name: String) throws {
        let r = try CommandLineTests.dpflow(["plan", "pipelines/\(name).yaml", "--ledger", "/nonexistent/ledger.sqlite"],
                                            in: Fixtures.repositoryRoot)
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
