import Foundation
import Testing
@testable import DPPipeline
import PrivateDataFrame

@Suite("Release ε shares")
struct ReleaseEpsilonTests {
    /// Every share must fit the allotment of the stage's ε under the ledger's fixed point (ε in 10⁻¹²,
    /// charges rounded up, allotments rounded down), and may lose at most 2·10⁻¹² against total/parts.
    @Test(arguments: [(0.2, 3), (1.0 / 3, 1), (0.5, 1), (1.0, 2), (0.7, 7), (0.1, 3)])
    func sharesFitTheAllotment(total: Double, parts: Int) throws {
        let share = RunContext.releaseEpsilon(total, parts: parts)
        #expect(share <= total / Double(parts) && share >= total / Double(parts) - 2e-12)
        let files = FileManager.default.temporaryDirectory.appendingPathComponent("eps-\(UUID().uuidString).csv").path
        try "x\n1\n".write(toFile: files, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: files) }
        let frame = try PrivateDataFrame.load(csv: files, schema: Schema(columns: ["x": .number(min: 0, max: 1)]), datasetID: "e")
        let budget = ReleaseBudget.preReserved(try ReservedAllotment(epsilon: total, delta: 0))
        for _ in 0..<parts { _ = try frame.releaseCount(epsilon: share, charging: budget, noise: .seeded(1)) }
    }
}
