import Foundation
import Testing
@testable import PrivateDataFrame

@Suite("CSV loading through libcsv")
struct CSVLoadingTests {
    let files = TestFiles()

    static let schema = Schema(columns: [
        "x": .number(min: -10, max: 10),
        "n": .integer(min: 0, max: 100),
        "color": .category(["red", "green", "blue, dark"]),
        "ok": .boolean(),
    ])

    @Test func loadsQuotedFieldsCRLFAndBOM() throws {
        let text = "\u{FEFF}x,n,color,ok\r\n1.5,3,red,true\r\n\"-2.25\",4,\"blue, dark\",FALSE\r\n1e-1,5,\"green\",1"
        let path = files.write("a.csv", text)
        let frame = try PrivateDataFrame.load(csv: path, schema: Self.schema)
        #expect(frame.columnNames == ["x", "n", "color", "ok"])
        #expect(frame.rowCountForAccounting == 3)
        #expect(frame.testNumbers("x") == [1.5, -2.25, 0.1])
        #expect(frame.testNumbers("n") == [3, 4, 5])
        #expect(frame.testCategories("color") == [0, 2, 1])
        #expect(frame.testNumbers("ok") == [1, 0, 1])
    }

    @Test func embeddedNewlinesAndQuotesInIgnoredAndCategoryColumns() throws {
        let schema = Schema(columns: ["note": .ignore, "v": .number(min: 0, max: 1),
                                      "q": .category(["say \"hi\"", "line1\nline2"])])
        let text = "note,v,q\n\"a, b\nc\",0.5,\"say \"\"hi\"\"\"\n\"\",0.25,\"line1\nline2\"\n"
        let frame = try PrivateDataFrame.load(csv: files.write("b.csv", text), schema: schema)
        #expect(frame.columnNames == ["v", "q"])
        #expect(frame.testNumbers("v") == [0.5, 0.25])
        #expect(frame.testCategories("q") == [0, 1])
    }

    @Test func clampsOutOfBoundsByDefaultAndRefusesWithErrorPolicy() throws {
        let text = "x\n-50\n5\n50\n"
        let clamped = try PrivateDataFrame.load(csv: files.write("c.csv", text),
                                                schema: Schema(columns: ["x": .number(min: -10, max: 10)]))
        #expect(clamped.testNumbers("x") == [-10, 5, 10])
        #expect(throws: DataFrameError.outOfBounds(file: files.path("c.csv"), line: 2, column: "x", bounds: -10...10)) {
            try PrivateDataFrame.load(csv: files.path("c.csv"),
                                      schema: Schema(columns: ["x": .number(min: -10, max: 10, outOfBounds: .error)]))
        }
    }

    @Test func missingValuePolicies() throws {
        let text = "x,c\n1,red\n,green\n3,\n4,red\n"
        let path = files.write("m.csv", text)
        let dropped = try PrivateDataFrame.load(csv: path, schema: Schema(columns: [
            "x": .number(min: 0, max: 10, missing: .dropRow), "c": .category(["red", "green"], missing: .dropRow)]))
        #expect(dropped.testNumbers("x") == [1, 4])
        #expect(dropped.testCategories("c") == [0, 0])
        let filled = try PrivateDataFrame.load(csv: path, schema: Schema(columns: [
            "x": .number(min: 0, max: 10, missing: .fill("7")), "c": .category(["red", "green"], missing: .fill("green"))]))
        #expect(filled.testNumbers("x") == [1, 7, 3, 4])
        #expect(filled.testCategories("c") == [0, 1, 1, 0])
        #expect(throws: DataFrameError.missingValue(file: path, line: 3, column: "x")) {
            try PrivateDataFrame.load(csv: path, schema: Schema(columns: [
                "x": .number(min: 0, max: 10), "c": .category(["red", "green"], missing: .dropRow)]))
        }
    }

    @Test func defaultEntryCoversUnlistedColumns() throws {
        let path = files.write("d.csv", "a,b,label\n1,16,x\n0,8,y\n")
        let frame = try PrivateDataFrame.load(csv: path, schema: Schema(
            columns: ["label": .category(["x", "y"])], default: .integer(min: 0, max: 16)))
        #expect(frame.testNumbers("b") == [16, 8])
        #expect(try frame.spec(of: "a").kind == .integer(min: 0, max: 16))
    }

    @Test func datasetIDIsTheSHA256OfTheFileUnlessDeclared() throws {
        let path = files.write("h.csv", "x\n1\n")
        let frame = try PrivateDataFrame.load(csv: path, schema: Schema(columns: ["x": .number(min: 0, max: 2)]))
        #expect(frame.datasetID == (try SQLiteBudgetLedger.datasetID(forCSVAt: path)))
        // sha256("x\n1\n"), from `printf 'x\n1\n' | sha256sum`.
        #expect(frame.datasetID == "sha256:daff832f802000e645771a60983c76c963f6ee602a6230e45237bd360e91cc1a")
        let declared = try PrivateDataFrame.load(csv: path, schema: Schema(columns: ["x": .number(min: 0, max: 2)]), datasetID: "census-2020")
        #expect(declared.datasetID == "census-2020")
    }

    @Test func chunkBoundariesDoNotChangeTheResult() throws {
        // More than one 1 MiB read: numbers must come out identical to Swift's own parse.
        var text = "a,b\n"
        var expectedA: [Float] = [], expectedB: [Float] = []
        var rng = SplitMix64(seed: 42)
        for _ in 0..<80_000 {
            let a = Double(rng.next() % 2_000_000) / 1000 - 1000
            let b = Double(rng.next() % 1000) / 7
            text += "\(a),\(b)\n"
            expectedA.append(Float(a)); expectedB.append(Float(b))
        }
        let frame = try PrivateDataFrame.load(csv: files.write("big.csv", text),
                                              schema: Schema(default: .number(min: -1000, max: 1000)))
        #expect(frame.testNumbers("a") == expectedA)
        #expect(frame.testNumbers("b") == expectedB)
    }

    @Test(arguments: [
        ("0", 0.0), ("-0.5", -0.5), ("+3", 3.0), ("1e3", 1000.0), ("2.5E-3", 0.0025), (".5", 0.5), ("5.", 5.0),
        ("123456789012345678901234", 1.2345678901234568e23), ("0.000000000000000000000000001", 1e-27),
        ("3.14159265358979323846", 3.141592653589793), ("00012", 12.0),
    ])
    func numberParserMatchesStrtod(text: String, expected: Double) {
        var bytes = Array(text.utf8); let n = bytes.count; bytes.append(0)
        let v = bytes.withUnsafeBufferPointer { FieldDecoder.parseNumber($0.baseAddress!, n) }
        #expect(v == expected)
    }

    @Test(arguments: ["", "-", "1e", "e5", "1.2.3", "nan", "inf", "0x10", "1,5", "12a", " ", "--1", "1e+"])
    func numberParserRefusesNonNumbers(text: String) {
        var bytes = Array(text.utf8); let n = bytes.count; bytes.append(0)
        #expect(bytes.withUnsafeBufferPointer { FieldDecoder.parseNumber($0.baseAddress!, n) } == nil)
    }
}

@Suite("Number parser accuracy")
struct NumberParserAccuracyTests {
    /// Shortest round-trip decimals (up to 17 digits, as in the shared data sets): the stored
    /// Float must be within one Float ulp of the correctly rounded Float, and exactly the
    /// correctly rounded Double when the digits fit the exact fast path (≤ 15 digits).
    @Test func randomDecimalsAgreeWithTheStandardLibrary() {
        var rng = SplitMix64(seed: 99)
        var inexactFloats = 0
        for _ in 0..<100_000 {
            let magnitude = Double(Int(rng.next() % 13) - 6)
            let d = (Double(rng.next() >> 11) * 0x1p-53 - 0.5) * 2 * pow(10, magnitude)
            let text = "\(d)"
            var bytes = Array(text.utf8); let n = bytes.count; bytes.append(0)
            guard let v = bytes.withUnsafeBufferPointer({ FieldDecoder.parseNumber($0.baseAddress!, n) }) else {
                Issue.record("refused \(text)"); continue
            }
            let digits = text.filter(\.isNumber).count
            if digits <= 15 { #expect(v == Double(text)!, "\(text)") }
            let mine = Float(v), reference = Float(text)!
            if mine != reference {
                inexactFloats += 1
                #expect(mine.nextUp == reference || mine.nextDown == reference, "\(text)")
            }
        }
        // Double rounding can only bite within ~1 Double ulp of a Float rounding boundary:
        // a fraction ~2^-29 of values; allow a handful.
        #expect(inexactFloats <= 5)
    }
}
