import Foundation
import Testing
@testable import PrivateDataFrame

/// Loads the repository's copies of the shared data sets (pipelines/data) and checks them
/// against their documented shape (pipelines/data README: digits 1797 × 65, breast cancer 569 × 31,
/// 212 malignant / 357 benign).
@Suite("Shared data sets")
struct SharedDataTests {
    static let dataDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("pipelines/data")

    @Test func digits() throws {
        let path = Self.dataDirectory.appendingPathComponent("digits.csv").path
        let frame = try PrivateDataFrame.load(csv: path, schema: Schema(
            columns: ["target": .category((0..<10).map(String.init))], default: .integer(min: 0, max: 16)))
        #expect(frame.rowCountForAccounting == 1797)
        #expect(frame.columnNames.count == 65 && frame.columnNames.last == "target")
        let x = try frame.select(allFeaturesExcept: "target").encodedFeatures()
        #expect(x.columns == 64 && x.values.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(Set(frame.testCategories("target")).count == 10)
    }

    @Test func breastCancerWithDeclaredBounds() throws {
        let path = Self.dataDirectory.appendingPathComponent("breast_cancer.csv").path
        // Generous public bounds; the real values are inside, so nothing is clamped here.
        let frame = try PrivateDataFrame.load(csv: path, schema: Schema(
            columns: ["target": .category(["0", "1"])], default: .number(min: 0, max: 5000, outOfBounds: .error)))
        #expect(frame.rowCountForAccounting == 569)
        #expect(frame.columnNames.count == 31)
        let y = frame.testCategories("target")
        #expect(y.filter { $0 == 0 }.count == 212 && y.filter { $0 == 1 }.count == 357)
    }
}
