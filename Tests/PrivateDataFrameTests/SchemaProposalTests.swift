import Foundation
import Testing
@testable import PrivateDataFrame

@Suite("Schema proposal (reads the data; for the owner only)")
struct SchemaProposalTests {
    let files = TestFiles()

    @Test func proposesTypesAndRoundBoundsThatLoadTheFile() throws {
        let path = files.write("p.csv", "name,age,score,smoker,city,label\n\"O, Brien\",34,0.25,yes,Paris,0\nAnn,,0.75,no,\"New\nYork\",1\nBo,61,0.5,no,Paris,1\n")
        let (schema, order) = try SchemaProposal.propose(csv: path)
        #expect(order == ["name", "age", "score", "smoker", "city", "label"])
        #expect(schema.columns["age"] == .integer(min: 30, max: 70, missing: .dropRow))
        #expect(schema.columns["score"]?.kind == .number(min: 0.2, max: 0.8))
        #expect(schema.columns["smoker"]?.kind == .boolean)
        #expect(schema.columns["city"]?.kind == .category(values: ["New\nYork", "Paris"]))
        #expect(schema.columns["label"]?.kind == .category(values: ["0", "1"]))
        // The proposal loads the file it came from.
        let frame = try PrivateDataFrame.load(csv: path, schema: schema)
        #expect(frame.rowCountForAccounting == 2)      // the row with an empty age is dropped
        // Wide text columns are proposed as `ignore`.
        let (few, _) = try SchemaProposal.propose(csv: path, maxCategories: 2)
        #expect(few.columns["name"] == .ignore)
    }

    @Test func yamlIsTheDocumentedFormatAndRoundTripsThroughJSONShape() throws {
        let schema = Schema(columns: ["a b": .number(min: 0, max: 1.5, missing: .fill("0")),
                                      "c": .category(["yes", "x\"y"]), "id": .ignore], default: .integer(min: 0, max: 16))
        let yaml = SchemaProposal.yaml(schema, order: ["c", "a b"])
        #expect(yaml == """
            default: {type: integer, min: 0, max: 16}
            columns:
              c: {type: category, values: ["yes", "x\\"y"]}
              a b: {type: number, min: 0, max: 1.5, missing: {default: "0"}}
              id: {type: ignore}

            """)
        #expect(SchemaProposal.warning.contains("DO NOT SHARE"))
    }
}
