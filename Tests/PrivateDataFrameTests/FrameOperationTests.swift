import Foundation
import Testing
@testable import PrivateDataFrame

@Suite("Select, split, encode")
struct FrameOperationTests {
    let files = TestFiles()

    func frame() throws -> PrivateDataFrame {
        var text = "a,b,color,y\n"
        for i in 0..<1000 { text += "\(i % 11),\(Double(i % 7) - 3),\(["red", "green", "blue"][i % 3]),\(i % 2 == 0 ? "yes" : "no")\n" }
        return try PrivateDataFrame.load(csv: files.write("f.csv", text), schema: Schema(columns: [
            "a": .integer(min: 0, max: 10), "b": .number(min: -4, max: 4),
            "color": .category(["red", "green", "blue"]), "y": .category(["no", "yes"]),
        ]), datasetID: "frame-test")
    }

    @Test func selectKeepsOrderAndRolesAndSuggestsTypos() throws {
        let f = try frame()
        let s = try f.select(features: ["color", "a"], label: "y")
        #expect(s.columnNames == ["color", "a", "y"])
        #expect(s.featureColumns == ["color", "a"] && s.labelColumn == "y")
        let all = try f.select(allFeaturesExcept: "y")
        #expect(all.featureColumns == ["a", "b", "color"])
        #expect(throws: DataFrameError.unknownColumn("colour", available: f.columnNames)) {
            try f.select(features: ["colour"], label: "y")
        }
        #expect(DataFrameError.unknownColumn("colour", available: f.columnNames).description.contains("Did you mean 'color'?"))
        #expect(try f.dropping(["b"]).columnNames == ["a", "color", "y"])
    }

    @Test func splitIsDeterministicDisjointAndNearTheFraction() throws {
        let f = try frame()
        let (train1, test1) = try f.split(testFraction: 0.2, seed: 7)
        let (train2, test2) = try f.split(testFraction: 0.2, seed: 7)
        #expect(train1.testNumbers("b") == train2.testNumbers("b"))
        #expect(test1.testNumbers("a") == test2.testNumbers("a"))
        #expect(train1.rowCount + test1.rowCount == 1000)
        // Test size ~ Binomial(1000, 0.2): sd = sqrt(1000·0.2·0.8) ≈ 12.6; allow 5 sd.
        #expect(abs(Double(test1.rowCount) - 200) < 5 * 12.65)
        let (_, test3) = try f.split(testFraction: 0.2, seed: 8)
        #expect(test3.testNumbers("b") != test1.testNumbers("b"))
        // Membership depends on the row position only: same positions for another data set.
        let g = try f.dropping(["a"])
        #expect(try g.split(testFraction: 0.2, seed: 7).test.testNumbers("b") == test1.testNumbers("b"))
        #expect(throws: DataFrameError.self) { try f.split(testFraction: 1, seed: 1) }
    }

    @Test func splitSizesMatchTheSplitWithoutData() throws {
        let f = try frame()
        for (fraction, seed) in [(0.2, UInt64(7)), (0.5, 0), (0.05, 123)] {
            let (train, test) = try f.split(testFraction: fraction, seed: seed)
            let sizes = try PrivateDataFrame.splitSizes(rowCount: 1000, testFraction: fraction, seed: seed)
            #expect(sizes.train == train.rowCount && sizes.test == test.rowCount)
        }
        let small = try PrivateDataFrame.splitSizes(rowCount: 10, testFraction: 0.2, seed: 7)
        #expect(small.train + small.test == 10)
        #expect(try PrivateDataFrame.splitSizes(rowCount: 0, testFraction: 0.2, seed: 7) == (0, 0))
        #expect(throws: DataFrameError.self) { try PrivateDataFrame.splitSizes(rowCount: 10, testFraction: 0, seed: 1) }
    }

    @Test func encodingUsesDeclaredBoundsOnly() throws {
        let f = try frame().select(features: ["a", "b", "color"], label: "y")
        let x = try f.encodedFeatures()
        #expect(x.columns == 1 + 1 + 3 && x.rows == 1000)
        #expect(try f.encodedFeatureWidth() == 5)
        #expect(x.columnNames == ["a", "b", "color=red", "color=green", "color=blue"])
        // Row 5: a = 5 → 5/10; b = 5%7-3 = 2 → (2+4)/8; color = blue.
        #expect(Array(x.values[25..<30]) == [0.5, 0.75, 0, 0, 1])
        let sym = try f.encodedFeatures(EncodingOptions(numericRange: .symmetric, categories: .index))
        #expect(sym.columns == 3)
        #expect(Array(sym.values[15..<18]) == [0, 0.5, 2])
        let y = try f.encodedLabels()
        #expect(y.columns == 1 && Array(y.values[0..<4]) == [1, 0, 1, 0])
        let y1 = try f.encodedLabels(EncodingOptions(label: .oneHot))
        #expect(y1.columns == 2 && Array(y1.values[0..<4]) == [0, 1, 1, 0])
        #expect(try f.labelClassCount() == 2)
    }

    @Test func descriptionPrintsSchemaAndPrivateButNoCounts() throws {
        let f = try frame()
        let d = f.description
        #expect(d.contains("private"))
        #expect(d.contains("a: integer[0.0, 10.0]"))
        #expect(!d.contains("1000"))
    }

    @Test func schemaRoundTripsThroughJSON() throws {
        let json = """
        {"default": {"type": "number", "min": 0, "max": 16},
         "columns": {"target": {"type": "category", "values": ["0", "1"]},
                     "age": {"type": "integer", "min": 0, "max": 120, "missing": "drop_row", "out_of_bounds": "error"},
                     "income": {"type": "number", "min": 0, "max": 1000000, "missing": {"default": 0}},
                     "smoker": {"type": "boolean", "missing": {"default": false}},
                     "id": {"type": "ignore"}}}
        """
        let s = try JSONDecoder().decode(Schema.self, from: Data(json.utf8))
        #expect(s.defaultColumn == .number(min: 0, max: 16))
        #expect(s.columns["age"] == .integer(min: 0, max: 120, missing: .dropRow, outOfBounds: .error))
        #expect(s.columns["income"]?.missing == .fill("0.0"))
        #expect(s.columns["smoker"]?.missing == .fill("false"))
        #expect(s.columns["target"]?.kind == .category(values: ["0", "1"]))
        #expect(s.columns["id"] == .ignore)
        try s.validate()
        let again = try JSONDecoder().decode(Schema.self, from: JSONEncoder().encode(s))
        #expect(again == s)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Schema.self, from: Data(#"{"columns": {"x": {"type": "float"}}}"#.utf8))
        }
    }
}
