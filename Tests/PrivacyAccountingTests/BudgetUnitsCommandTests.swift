import Foundation
import Testing

/// `dpflow budget --units N --batch-units B` (issue 15): user-level accounting counts units, with the same
/// Poisson-subsampled Gaussian as row level on (q = B_units/N_units, epochs·ceil(N_units/B_units) steps).
@Suite(.serialized) struct BudgetUnitsCommandTests {
    static let shape = ["--epochs", "30", "--delta", "1e-5", "--noise-multiplier", "2", "--json"]

    @Test func unitsAreAccountedLikeExamplesOfUnits() throws {
        let units = try BudgetCommandTests.budget(["--units", "436", "--batch-units", "32"] + Self.shape)
        let rows = try BudgetCommandTests.budget(["--examples", "436", "--batch-size", "32"] + Self.shape)
        #expect(units.code == 0 && rows.code == 0)
        let u = try #require(try JSONSerialization.jsonObject(with: Data(units.stdout.utf8)) as? [String: Any])
        let r = try #require(try JSONSerialization.jsonObject(with: Data(rows.stdout.utf8)) as? [String: Any])
        #expect(u["steps"] as? Int == 30 * 14)
        #expect(u["privacy_unit"] as? String == "unit" && r["privacy_unit"] as? String == "row")
        #expect(abs((u["sampling_rate"] as? Double ?? 0) - 32.0 / 436.0) < 1e-15)
        #expect(u["epsilon"] as? Double == r["epsilon"] as? Double)
        let text = try BudgetCommandTests.budget(["--units", "436", "--batch-units", "32", "--epochs", "30", "--delta", "1e-5",
                                                  "--noise-multiplier", "2"])
        #expect(text.stdout.contains("(32/436 units, Poisson of units)") && text.stdout.contains("whole privacy unit"))
    }

    @Test func badUnitArgumentsExitWithTwo() throws {
        for args in [["--units", "100", "--batch-units", "10", "--examples", "100"],
                     ["--units", "100"],
                     ["--units", "10", "--batch-units", "20"],
                     ["--units", "100", "--batch-units", "10", "--neighbouring", "replace_one"]] {
            let r = try BudgetCommandTests.budget(args + ["--epochs", "1", "--delta", "1e-5", "--noise-multiplier", "1"])
            #expect(r.code == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("error:"))
        }
    }
}
