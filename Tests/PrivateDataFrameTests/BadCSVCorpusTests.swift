import Foundation
import Testing
@testable import PrivateDataFrame

/// A corpus of bad files: each must fail with the right typed error, naming the line and column.
@Suite("Bad CSV corpus")
struct BadCSVCorpusTests {
    static let schema = Schema(columns: [
        "x": .number(min: 0, max: 10), "k": .integer(min: 0, max: 5), "c": .category(["a", "b"]), "f": .boolean(),
    ])

    /// (name, content, expected error given the path)
    static let corpus: [(String, String, @Sendable (String) -> DataFrameError)] = [
        ("empty", "", { .emptyFile(file: $0) }),
        ("blank", "\n\n  \n", { .emptyFile(file: $0) }),
        ("bom-only", "\u{FEFF}", { .emptyFile(file: $0) }),
        ("no-header", "1,2,a,true\n3,4,b,false\n", { .missingHeader(file: $0) }),
        ("duplicate", "x,k,c,f,x\n1,2,a,true,1\n", { .duplicateColumn(file: $0, column: "x") }),
        ("missing-column", "x,k,c\n1,2,a\n", { .missingColumn(file: $0, column: "f") }),
        ("undeclared", "x,k,c,f,extra\n1,2,a,true,9\n", { .undeclaredColumn(file: $0, column: "extra") }),
        ("short-row", "x,k,c,f\n1,2,a,true\n1,2,a\n", { .raggedRow(file: $0, line: 3, expected: 4, found: 3, orMore: false) }),
        ("long-row", "x,k,c,f\n1,2,a,true,7\n", { .raggedRow(file: $0, line: 2, expected: 4, found: 4, orMore: true) }),
        ("short-last-row-no-newline", "x,k,c,f\n1,2,a,true\n1,2", { .raggedRow(file: $0, line: 3, expected: 4, found: 2, orMore: false) }),
        ("not-a-number", "x,k,c,f\n1,2,a,true\nabc,2,a,true\n", { .notANumber(file: $0, line: 3, column: "x", expected: "a number") }),
        ("not-an-integer", "x,k,c,f\n1,2.5,a,true\n", { .notANumber(file: $0, line: 2, column: "k", expected: "an integer") }),
        ("nan", "x,k,c,f\nnan,2,a,true\n", { .notANumber(file: $0, line: 2, column: "x", expected: "a number") }),
        ("bad-boolean", "x,k,c,f\n1,2,a,maybe\n", { .notANumber(file: $0, line: 2, column: "f", expected: "a boolean (true/false)") }),
        ("unknown-category", "x,k,c,f\n1,2,a,true\n1,2,zz,true\n", { .unknownCategory(file: $0, line: 3, column: "c", declaredCount: 2) }),
        ("missing-value", "x,k,c,f\n1,,a,true\n", { .missingValue(file: $0, line: 2, column: "k") }),
        ("stray-quote", "x,k,c,f\n1,2,a\"b,true\n", { .malformedCSV(file: $0, line: 2, reason: CSVLoader.describe(1)) }),
        // The line where the quote opened (like pandas' "EOF inside string starting at row …"), not the end of the file.
        ("unterminated-quote", "x,k,c,f\n1,2,\"a,true\n", { .malformedCSV(file: $0, line: 2, reason:
            "the quoted field that opens on this line is never closed (the file ends inside it)") }),
        ("empty-header-name", "x,,c,f\n1,2,a,true\n", { .emptyColumnName(file: $0, position: 2) }),
        ("line-after-multiline-field", "x,k,c,f\n1,2,\"a\",true\n2,3,\"b\nb\",true\n3,zz,a,true\n",
         { .unknownCategory(file: $0, line: 4, column: "c", declaredCount: 2) }),
    ]

    @Test(arguments: corpus.indices)
    func badFileFailsWithNamedError(index: Int) throws {
        let (name, content, expected) = Self.corpus[index]
        let files = TestFiles()
        let path = files.write(name + ".csv", content)
        do {
            _ = try PrivateDataFrame.load(csv: path, schema: Self.schema)
            Issue.record("\(name): loaded without error")
        } catch let error as DataFrameError {
            #expect(error == expected(path), "\(name)")
            #expect(error.localizedDescription.hasPrefix(path), "\(name): message names the file")
        }
    }

    @Test func unreadableFile() {
        #expect(throws: DataFrameError.self) {
            try PrivateDataFrame.load(csv: "/nonexistent/dir/x.csv", schema: Self.schema)
        }
    }

    @Test func invalidSchemasAreRefused() {
        let bad: [Schema] = [
            Schema(columns: ["x": .number(min: 1, max: 1)]),
            Schema(columns: ["x": .number(min: 0, max: .infinity)]),
            Schema(columns: ["c": .category([])]),
            Schema(columns: ["c": .category(["a", "a"])]),
            Schema(columns: ["x": .number(min: 0, max: 1, missing: .fill("2"))]),
            Schema(columns: ["c": .category(["a"], missing: .fill("b"))]),
        ]
        for s in bad {
            #expect(throws: DataFrameError.self) { try s.validate() }
        }
    }
}
