import Foundation
import Testing
@testable import PrivateDataFrame

@Suite struct TextTokenizerTests {
    func tokenizer(_ length: Int = 256, lowercase: Bool = true, _ unit: TextTokenUnit = .words) throws -> TextTokenizer {
        try TextColumnSpec(maxLength: length, lowercase: lowercase, tokens: unit).tokenizer
    }

    @Test func wordsSplitOnPunctuationAndKeepInnerApostrophes() throws {
        let t = try tokenizer()
        #expect(try t.tokens("Don't STOP, believin'!  Café 42x — 'quoted'") == ["don't", "stop", "believin", "café", "42x", "quoted"])
        #expect(try tokenizer(lowercase: false).tokens("Hello World") == ["Hello", "World"])
        #expect(try t.tokens("") == [])
        #expect(try t.tokens(" ,.;!? ") == [])
    }

    @Test func charactersCollapseWhiteSpaceAndDropControls() throws {
        let t = try tokenizer(10, .characters)
        #expect(try t.tokens("Ab \t\n c\u{0007}d") == ["a", "b", " ", "c", "d"])
        #expect(try t.tokens("abcdefghijklmnop").count == 10)
    }

    @Test func truncatesToMaxLengthWithoutReadingFurther() throws {
        let t = try tokenizer(5)
        let long = String(repeating: "word ", count: 100_000)
        #expect(try t.tokens(long) == Array(repeating: "word", count: 5))
        // Bytes after the fifth token are not read, so invalid UTF-8 there does not matter.
        #expect(try t.tokens(utf8: Array("a b c d e f ".utf8) + [0xFF, 0xFE]) == ["a", "b", "c", "d", "e"])
    }

    @Test func cutsLongTokens() throws {
        let t = try tokenizer(3)
        let tokens = try t.tokens(String(repeating: "a", count: 1_000_000) + " b")
        #expect(tokens == [String(repeating: "a", count: TextColumnSpec.maxTokenBytes), "b"])
        // Multi-byte scalars are cut at a scalar boundary.
        let wide = try t.tokens(String(repeating: "é", count: 100))
        #expect(wide[0].utf8.count <= TextColumnSpec.maxTokenBytes && wide[0].utf8.count >= TextColumnSpec.maxTokenBytes - 1)
        #expect(wide[0].allSatisfy { $0 == "é" })
    }

    @Test(arguments: [[0xFF], [0x61, 0xC3], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0x61, 0x20, 0xF8, 0x88, 0x80, 0x80, 0x80]] as [[UInt8]])
    func invalidUTF8IsATypedError(_ bytes: [UInt8]) throws {
        #expect(throws: TextColumnError.invalidUTF8) { try tokenizer().tokens(utf8: bytes) }
        #expect(throws: TextColumnError.invalidUTF8) { try tokenizer(256, .characters).tokens(utf8: bytes) }
    }

    /// Random bytes (mostly ASCII letters, spaces, punctuation, multi-byte and invalid sequences): the tokeniser
    /// returns at most T tokens of at most 64 bytes each, or the typed UTF-8 error; it never traps.
    @Test func randomBytesStayWithinBounds() throws {
        var g = SplitMix64(seed: 11)
        let alphabet: [[UInt8]] = [[0x61], [0x5A], [0x20], [0x27], [0x2C], [0x0A], [0xC3, 0xA9], [0xE2, 0x80, 0x99],
                                   [0xCC, 0x81], [0xF0, 0x9F, 0x98, 0x80], [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0x00]]
        var typed = 0
        for unit in TextTokenUnit.allCases {
            let t = try TextColumnSpec(maxLength: 7, tokens: unit).tokenizer
            for _ in 0..<3000 {
                let n = Int(g.next() % 200)
                let bytes = (0..<n).flatMap { _ -> [UInt8] in
                    let pick = g.next() % 100
                    return pick < 90 ? alphabet[Int(pick % 10)] : alphabet[Int(pick % UInt64(alphabet.count))]
                }
                do {
                    let tokens = try t.tokens(utf8: bytes)
                    #expect(tokens.count <= 7)
                    #expect(tokens.allSatisfy { !$0.isEmpty && $0.utf8.count <= TextColumnSpec.maxTokenBytes })
                } catch TextColumnError.invalidUTF8 {
                    typed += 1
                }
            }
        }
        #expect(typed > 0)
    }

    @Test(arguments: [0, -1, 4097])
    func maxLengthIsBounded(_ n: Int) {
        #expect(throws: TextColumnError.self) { try TextColumnSpec(maxLength: n) }
    }
}

@Suite struct TokenVocabularyTests {
    @Test func listedVocabularyHasPaddingAndOOV() throws {
        let v = try TokenVocabulary(tokens: ["good", "bad"])
        #expect(v.size == 4)
        #expect(v.id(of: "good") == 2 && v.id(of: "bad") == 3 && v.id(of: "meh") == TokenVocabulary.outOfVocabularyID)
        #expect(v.encode(["bad", "meh", "good"], length: 5) == [3, 1, 2, 0, 0])
        #expect(v.encode(["bad", "meh", "good"], length: 2) == [3, 1])
        #expect(throws: TextColumnError.self) { try TokenVocabulary(tokens: ["a", "a"]) }
        #expect(throws: TextColumnError.self) { try TokenVocabulary(tokens: [""]) }
    }

    @Test func hashingIsTheFixedPublicFNV1a() throws {
        // Reference values of FNV-1a 64 (Fowler/Noll/Vo test vectors).
        #expect(TokenVocabulary.fnv1a64("".utf8) == 0xcbf2_9ce4_8422_2325)
        #expect(TokenVocabulary.fnv1a64("a".utf8) == 0xaf63_dc4c_8601_ec8c)
        #expect(TokenVocabulary.fnv1a64("foobar".utf8) == 0x8594_4171_f739_67e8)
        let v = try TokenVocabulary(hashBuckets: 16384)
        #expect(v.size == 16386)
        let hashOfA: UInt64 = 0xaf63_dc4c_8601_ec8c
        #expect(v.id(of: "a") == 2 + Int32(hashOfA % 16384))
        let ids = (0..<2000).map { v.id(of: "token\($0)") }
        #expect(ids.allSatisfy { (2..<16386).contains($0) })
        #expect(Set(ids).count > 1800)          // ≈ 2000 − 2000²/(2·16384) ≈ 1880 distinct expected
        #expect(throws: TextColumnError.self) { try TokenVocabulary(hashBuckets: 0) }
    }

    @Test func publicFileIsCheckedLineByLine() throws {
        let files = TestFiles()
        let ok = files.write("vocab.txt", "Good\r\nbad\nfine\n")
        let v = try TokenVocabulary.load(publicFile: ok, lowercase: true)
        #expect(v.tokens == ["good", "bad", "fine"])
        let dup = files.write("dup.txt", "good\nbad\nGood\n")
        #expect(throws: TextColumnError.vocabularyFile(file: "dup.txt", line: 3, reason: "repeats the token of line 1")) {
            try TokenVocabulary.load(publicFile: dup, lowercase: true)
        }
        let empty = files.write("empty.txt", "good\n\nbad\n")
        #expect(throws: TextColumnError.vocabularyFile(file: "empty.txt", line: 2, reason: "empty line")) {
            try TokenVocabulary.load(publicFile: empty)
        }
        let bad = files.write("bad.txt", bytes: Array("good\n".utf8) + [0xFF, 0x0A])
        #expect(throws: TextColumnError.vocabularyFile(file: "bad.txt", line: 2, reason: "not valid UTF-8")) {
            try TokenVocabulary.load(publicFile: bad)
        }
        #expect(throws: TextColumnError.self) { try TokenVocabulary.load(publicFile: files.path("missing.txt")) }
    }
}

@Suite struct TextColumnFrameTests {
    let schema = Schema(columns: [
        "review": ColumnSpec(.text(try! TextColumnSpec(maxLength: 4)), missing: .dropRow, invalid: .dropRow),
        "label": .category(["rotten", "fresh"]),
    ])

    @Test func loadsTokensAndEncodesIDs() throws {
        let files = TestFiles()
        let path = files.write("r.csv", "review,label\n\"Great, great film!\",fresh\n,rotten\n\"dull plot dull cast and more\",rotten\n")
        let frame = try PrivateDataFrame.load(csv: path, schema: schema, datasetID: "t")
        #expect(try frame.spec(of: "review").kind == .text(try TextColumnSpec(maxLength: 4)))
        let v = try TokenVocabulary(tokens: ["great", "dull"])
        let m = try frame.encodedText("review", vocabulary: v)
        #expect(m.rows == 3 && m.columns == 4)
        #expect(m.values == [2, 2, 1, 0,  0, 0, 0, 0,  3, 1, 3, 1])
        // A text column is not a plain feature.
        #expect(throws: DataFrameError.self) { try frame.select(features: ["review"], label: "label").encodedFeatures() }
    }

    @Test func hostileCellsAreBoundedOrDropped() throws {
        let files = TestFiles()
        var bytes = Array("review,label\n".utf8)
        bytes += Array(String(repeating: "x", count: 2_000_000).utf8) + Array(",fresh\n".utf8)      // one 2 MB token
        bytes += [0x61, 0x20, 0xFF, 0x2C] + Array("rotten\n".utf8)                                  // invalid UTF-8: dropped
        bytes += Array((String(repeating: "w ", count: 200_000) + ",fresh\n").utf8)                  // many tokens
        let path = files.write("h.csv", bytes: bytes)
        let frame = try PrivateDataFrame.load(csv: path, schema: schema, datasetID: "t")
        let (_, rows) = try frame.textRows("review")
        #expect(rows.count == 2)
        #expect(rows[0] == [String(repeating: "x", count: TextColumnSpec.maxTokenBytes)])
        #expect(rows[1] == ["w", "w", "w", "w"])

        // With invalid: error the load fails naming the line and column, never the value.
        var strict = schema
        strict.columns["review"] = ColumnSpec(.text(try TextColumnSpec(maxLength: 4)), missing: .dropRow, invalid: .error)
        do {
            _ = try PrivateDataFrame.load(csv: path, schema: strict, datasetID: "t")
            Issue.record("expected an error")
        } catch let e as DataFrameError {
            #expect(e.description.contains("h.csv:3") && e.description.contains("'review'") && !e.description.contains("xxxx"))
        }
    }

    @Test func textColumnsTakeNoDefault() throws {
        let s = Schema(columns: ["t": ColumnSpec(.text(try TextColumnSpec(maxLength: 4)), missing: .fill("x"))])
        #expect(throws: DataFrameError.self) { try s.validate() }
    }

    @Test func schemaDecodesTextDeclarations() throws {
        let json = #"{"columns": {"review": {"type": "text", "max_length": 256, "lowercase": false, "tokens": "characters", "missing": "drop_row"}}}"#
        let s = try JSONDecoder().decode(Schema.self, from: Data(json.utf8))
        #expect(s.columns["review"]?.kind == .text(try TextColumnSpec(maxLength: 256, lowercase: false, tokens: .characters)))
        let round = try JSONDecoder().decode(Schema.self, from: try JSONEncoder().encode(s))
        #expect(round == s)
        let bad = #"{"columns": {"review": {"type": "text", "max_length": 100000}}}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Schema.self, from: Data(bad.utf8)) }
    }
}
