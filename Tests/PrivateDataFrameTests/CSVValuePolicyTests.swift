import Foundation
import Testing
@testable import PrivateDataFrame

/// Data-independent value policies (clamp, default, drop the row), the owner's `check`, and CSV structure:
/// CR-only line ends, the line where a bad quote opened, and wide files.
@Suite("CSV value policies and check")
struct CSVValuePolicyTests {
    let files = TestFiles()

    static let lenient = Schema(columns: [
        "x": .number(min: 0, max: 10, missing: .dropRow, outOfBounds: .clamp, invalid: .dropRow),
        "k": .integer(min: 0, max: 5, missing: .fill("1"), outOfBounds: .dropRow, invalid: .fill("2")),
        "c": .category(["a", "b"], missing: .dropRow, invalid: .fill("b")),
        "f": .boolean(missing: .fill("false"), invalid: .dropRow),
    ], raggedRows: .dropRow)

    @Test func policiesNeverFailAndApplyPerRow() throws {
        let text = """
            x,k,c,f
            1,2,a,true
            11,2,a,true
            ,2,a,true
            abc,2,a,true
            1,,a,true
            1,9,a,true
            1,2.5,a,true
            1,2,zz,true
            1,2,,true
            1,2,a,maybe
            1,2,a,
            1,2,a
            1,2,a,true,extra
            2,3,b,false

            """
        let path = files.write("p.csv", text)
        let frame = try PrivateDataFrame.load(csv: path, schema: Self.lenient)
        // Kept: line 2, 3 (clamped), 6 (k default 1), 8 (k invalid → 2), 9 (c invalid → b), 12 (f default), 15.
        #expect(frame.rowCountForAccounting == 7)
        #expect(frame.testNumbers("x") == [1, 10, 1, 1, 1, 1, 2])
        #expect(frame.testNumbers("k") == [2, 2, 1, 2, 2, 2, 3])
        #expect(frame.testCategories("c") == [0, 0, 0, 0, 1, 0, 1])
        #expect(frame.testNumbers("f") == [1, 1, 1, 1, 1, 0, 0])
    }

    @Test func checkReportsEveryProblemWithLineFieldAndValue() throws {
        var text = "id,age,c\n"
        for i in 0..<10 { text += "\(i),\(i + 20),a\n" }
        text += "10,72,a\n"          // line 12: out of bounds
        text += "11,,a\n"            // line 13: missing
        text += "12,zz9,a\n"         // line 14: not a number
        text += "13,30,purple\n"     // line 15: undeclared category
        text += "14,30\n"            // line 16: ragged
        let path = files.write("d.csv", text)
        let schema = Schema(columns: ["id": .ignore, "age": .number(min: 0, max: 60, outOfBounds: .error),
                                      "c": .category(["a", "b"])])
        let report = try PrivateDataFrame.check(csv: path, schema: schema, displayName: "d.csv")
        let lines = report.problems.map(\.description)
        #expect(lines.count == 5)
        #expect(lines[0] == "d.csv:12:2: column 'age': value '72' outside the declared bounds [0, 60] (run: row dropped)")
        #expect(lines[1].hasPrefix("d.csv:13:2: column 'age': empty value"))
        #expect(lines[2].hasPrefix("d.csv:14:2: column 'age': value 'zz9' is not a number"))
        #expect(lines[3].hasPrefix("d.csv:15:3: column 'c': value 'purple' is not one of the 2 declared categories"))
        #expect(lines[4].hasPrefix("d.csv:16: row has 2 fields, the header has 3"))
        #expect(report.counts == [.outOfBounds: 1, .missing: 1, .invalid: 1, .unknownCategory: 1, .ragged: 1])
        #expect(report.rowsRead == 15 && report.rowsKept == 10)
    }

    @Test func checkListsAtMostTheLimitButCountsAll() throws {
        var text = "x\n"
        for _ in 0..<250 { text += "99\n" }
        let report = try PrivateDataFrame.check(csv: files.write("many.csv", text),
                                                schema: Schema(columns: ["x": .number(min: 0, max: 1)]), limit: 100)
        #expect(report.problems.count == 100 && report.counts[.outOfBounds] == 250 && report.total == 250)
        #expect(report.problems.last?.line == 101)
    }

    @Test func crOnlyLineEndsAreLineEnds() throws {
        let path = files.write("cr.csv", "x,c\r1,a\r2,b\r3,zz\r")
        let schema = Schema(columns: ["x": .number(min: 0, max: 10), "c": .category(["a", "b"])])
        let report = try PrivateDataFrame.check(csv: path, schema: schema, displayName: "cr.csv")
        #expect(report.rowsRead == 3)
        #expect(report.problems.map(\.line) == [4])
        let mixed = files.write("mixed.csv", "x,c\r\n1,a\r2,b\n3,a\r\n")
        let frame = try PrivateDataFrame.load(csv: mixed, schema: schema)
        #expect(frame.testNumbers("x") == [1, 2, 3])
        #expect(throws: DataFrameError.unknownCategory(file: path, line: 4, column: "c", declaredCount: 2)) {
            _ = try PrivateDataFrame.load(csv: path, schema: schema)
        }
        // The owner's schema proposal reads CR-only files too, and names the right line of a bad quote.
        let proposal = try SchemaProposal.propose(csv: path)
        #expect(proposal.order == ["x", "c"])
        let bad = files.write("crq.csv", "x,c\r1,a\r2,b\"\r")
        #expect(throws: DataFrameError.malformedCSV(file: bad, line: 3, reason: CSVLoader.describe(1))) {
            _ = try SchemaProposal.propose(csv: bad)
        }
    }

    @Test func unterminatedQuoteNamesTheLineWhereItOpened() throws {
        var text = "x,c\n"
        for i in 0..<300 { text += i == 198 ? "1,\"a\n" : "1,a\n" }     // the quote opens on line 200
        let path = files.write("q.csv", text)
        let schema = Schema(columns: ["x": .number(min: 0, max: 10), "c": .category(["a", "b"])])
        let report = try PrivateDataFrame.check(csv: path, schema: schema)
        guard case let .malformedCSV(_, line, reason)? = report.failure else {
            Issue.record("an unterminated quote was accepted: \(report)")
            return
        }
        #expect(line == 200, "\(reason)")
        #expect(reason.contains("opens on this line") && reason.contains("never closed"))
        #expect(report.rowsRead == 198)        // the rows before the quote were checked
        // A quoted field that spans lines and is followed by a stray quote: the line where it opened.
        let spanning = files.write("sp.csv", "x,c\n1,a\n1,\"a\nb\nc\"x\n1,a\n")
        do {
            _ = try PrivateDataFrame.load(csv: spanning, schema: schema)
            Issue.record("a stray quote was accepted")
        } catch let DataFrameError.malformedCSV(_, line, reason) {
            #expect(line == 3 && reason.contains("parsing failed at line 5"), "\(line) \(reason)")
        }
        // A stray quote inside an unquoted field: its own line.
        let stray = files.write("s.csv", "x,c\n1,a\n1,a\"b\n1,a\n")
        #expect(throws: DataFrameError.malformedCSV(file: stray, line: 3, reason: CSVLoader.describe(1))) {
            _ = try PrivateDataFrame.load(csv: stray, schema: schema)
        }
    }

    @Test func dataIndependenceIsAPropertyOfTheSchema() {
        #expect(Self.lenient.isDataIndependent)
        var s = Self.lenient
        s.raggedRows = .error
        #expect(!s.isDataIndependent)
        s = Self.lenient
        s.columns["x"]?.outOfBounds = .error
        #expect(!s.isDataIndependent)
        s = Self.lenient
        s.columns["c"]?.invalid = .error
        #expect(!s.isDataIndependent)
        #expect(!Schema(columns: ["x": .number(min: 0, max: 1)], raggedRows: .dropRow).isDataIndependent)   // missing: error
    }

    @Test func authorMessagesNameNoLineAndNoHeaderCell() {
        let f = "d.csv"
        #expect(!DataFrameError.malformedCSV(file: f, line: 200, reason: "x").authorDescription.contains("200"))
        #expect(!DataFrameError.undeclaredColumn(file: f, column: "ZQXSENTINEL").authorDescription.contains("ZQXSENTINEL"))
        #expect(!DataFrameError.raggedRow(file: f, line: 17, expected: 3, found: 2, orMore: false).authorDescription.contains("17"))
        #expect(!DataFrameError.outOfBounds(file: f, line: 17, column: "a", bounds: 0...1).authorDescription.contains("17"))
    }

    @Test func headerMismatchNeverEchoesUndeclaredCellsToTheAuthor() {
        let schema = Schema(columns: ["age": .number(min: 0, max: 1), "name": .category(["a"])])
        #expect(schema.headerMismatch(["4417.5", "alice"]) == .noHeader)
        #expect(schema.headerMismatch(["age", "alice", "4417"]) == .noHeader)
        let m = schema.headerMismatch(["age", "name", "ZQXSENTINEL"])
        #expect(m == .undeclared(["ZQXSENTINEL"]))
        #expect(m?.authorMessage.contains("ZQXSENTINEL") == false)
        #expect(schema.headerMismatch(["age"]) == .missing(["name"]))
        #expect(schema.headerMismatch(["age", "name"]) == nil)
    }

    /// Every per-column step is linear: 100,000 columns load, select and encode quickly (a quadratic step
    /// would take ~10^10 operations here).
    @Test func hundredThousandColumnsStayLinear() throws {
        let n = 100_000
        let names = (0..<n).map { "c\($0)" }
        var text = names.joined(separator: ",") + "\n"
        let row = Array(repeating: "1", count: n).joined(separator: ",") + "\n"
        text += row + row
        let path = files.write("wide.csv", text)
        let frame = try PrivateDataFrame.load(csv: path, schema: Schema(default: .number(min: 0, max: 2)))
        #expect(frame.columnNames.count == n)
        let selected = try frame.select(features: Array(names.dropLast()), label: names[n - 1])
        #expect(selected.featureColumns?.count == n - 1)
        let x = try selected.encodedFeatures(EncodingOptions())
        #expect(x.columns == n - 1 && x.rows == 2)
        #expect(Schema(default: .number(min: 0, max: 2)).headerMismatch(names) == nil)
    }
}

