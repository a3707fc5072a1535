import Foundation
import Testing
@testable import DPPipeline
import PrivateDataFrame

/// Issue 11 item 2 and issue 12 classes 1, 3 and 6: in `run`, value-level problems are handled by declared
/// data-independent policies and leave no trace in the output folder; `dpflow check` (the data owner's tool)
/// names them with line and column; structural CSV errors are right and leak nothing; the planner streams.
@Suite("Data-value policies, dpflow check and CSV structure")
struct DataValuePolicyTests {
    static let word = "ZQXSENTINEL"
    static let number = "4417.0317"

    /// 200 rows; sentinel problems on lines 18 (out of bounds), 31 (undeclared category), 45 (missing),
    /// 60 (not a number) and 77 (ragged row).
    static func fixture(schemaExtra: String = "", xPolicy: String = ", missing: drop_row") throws -> (dir: String, file: String) {
        let dir = Fixtures.temporaryDirectory("dpflow-values")
        var rows = ["x,y,color,label"]
        for i in 0..<200 {
            let line = i + 2
            var x = String(format: "%.3f", Double(i % 10) / 2), y = "\(i % 7)", color = ["red", "green", "blue"][i % 3]
            var extra = ""
            switch line {
            case 18: x = number
            case 31: color = word + "c"
            case 45: x = ""
            case 60: y = word + "y"
            case 77: extra = "," + word + "r"
            default: break
            }
            rows.append("\(x),\(y),\(color),\(i % 2)\(extra)")
        }
        try (rows.joined(separator: "\n") + "\n").write(toFile: dir + "/data.csv", atomically: true, encoding: .utf8)
        let yaml = """
        name: values
        privacy: {dataset: values-test, public_size: 200,
                  budget: {epsilon: 100, delta: 1e-4}}
        # public_size: the data owner's declared (public) number of records
        stages:
          - load:
              csv: data.csv
              schema:
                x: {type: number, min: 0, max: 10\(xPolicy)}
                y: {type: number, min: 0, max: 10}
                color: {type: category, values: [red, green, blue]\(schemaExtra)}
                label: {type: category, values: [0, 1]}
          - release: {statistic: count, epsilon: 0.5}
          - select: {features: [x, y, color], label: label}
          - split: {test_fraction: 0.25, seed: 3}
          - train:
              model:
                - dense: {units: 4, activation: relu}
                - dense: {units: 1, activation: sigmoid}
              loss: binary_crossentropy
              optimizer: adam
              l2_norm_clip: 1.0
              noise_multiplier: 1.0
              batch_size: 20
              epochs: 2
          - predict: {}
          - evaluate: {metrics: [accuracy], epsilon: 1.0}
          - export: {model: m}
        """
        try yaml.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        return (dir, dir + "/p.yaml")
    }

    @Test("sentinel: a run over bad values succeeds and its output folder holds no value, row number or drop count; check names them")
    func sentinel() throws {
        let (dir, file) = try Self.fixture()
        // The owner's check first: it reports every problem with line:column and the value, and writes nothing.
        let check = DataCheck.run(file: file, environment: TestEnvironment.make())
        #expect(check.foundProblems)
        let text = check.lines.joined(separator: "\n")
        #expect(text.contains("data.csv:18:1: column 'x': value '\(Self.number)' outside the declared bounds [0, 10]"))
        #expect(text.contains("data.csv:31:3: column 'color': value '\(Self.word)c' is not one of the 3 declared categories"))
        #expect(text.contains("data.csv:45:1: column 'x': empty value"))
        #expect(text.contains("data.csv:60:2: column 'y': value '\(Self.word)y' is not a number"))
        #expect(text.contains("data.csv:77: row has 5 fields, the header has 4"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"))

        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let report = try runner.run(file: file, options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/l.sqlite"))
        #expect(report.privacy.private)
        let outputs = try FileManager.default.contentsOfDirectory(atPath: dir + "/out")
        #expect(!outputs.isEmpty)
        for name in outputs {
            guard let data = FileManager.default.contents(atPath: dir + "/out/" + name) else { continue }
            let content = String(decoding: data, as: UTF8.self)
            for leak in [Self.word, Self.number, "dropped", "data.csv:"] {
                #expect(!content.contains(leak), "'\(leak)' in \(name)")
            }
            for line in [18, 31, 45, 60, 77] {
                for pattern in ["line \(line)", "row \(line)", "data.csv:\(line)"] {
                    #expect(!content.contains(pattern), "'\(pattern)' in \(name)")
                }
            }
        }
    }

    @Test("a run's outcome does not depend on the values: the same pipeline over clean data and over bad data both succeed")
    func dropRowWithTrainAndSplit() throws {
        let (dir, file) = try Self.fixture(xPolicy: ", missing: drop_row, out_of_bounds: drop_row, invalid: drop_row")
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let report = try runner.run(file: file, options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/l.sqlite"))
        #expect(report.metrics["accuracy"] != nil)
        let (_, plan) = try runner.plan(file: file)
        #expect(plan.records == 200)      // the file's records, before any policy
    }

    @Test("failing policies are refused by validation with file:line:col and a pointer to dpflow check")
    func failingPoliciesRefused() throws {
        let (_, file) = try Self.fixture(schemaExtra: ", invalid: error", xPolicy: ", out_of_bounds: error, missing: error")
        let problems = Pipeline.diagnose(file: file, environment: TestEnvironment.make())
        #expect(problems.count >= 3, "\(problems)")
        #expect(problems.contains { $0.contains("p.yaml:9:") && $0.contains("out_of_bounds: error") && $0.contains("dpflow check") })
        #expect(problems.contains { $0.contains("p.yaml:9:") && $0.contains("missing: error") })
        #expect(problems.contains { $0.contains("p.yaml:11:") && $0.contains("invalid: error") })
        // A default that is not a value of the type is caught before any budget is reserved.
        let (_, bad) = try Self.fixture(xPolicy: ", missing: {default: 11}")
        let badProblems = Pipeline.diagnose(file: bad, environment: TestEnvironment.make())
        #expect(badProblems.contains { $0.contains("p.yaml:9:") && $0.contains("missing-value default '11'") }, "\(badProblems)")
    }

    @Test("a header-less CSV: validate names no cell of the first row and suggests no data value")
    func headerlessCSV() throws {
        let (dir, file) = try Self.fixture()
        let rows = ["alice\(Self.word),\(Self.number),magenta,1", "bob,2,green,0", "carol,3,blue,1"]
        try (rows.joined(separator: "\n") + "\n").write(toFile: dir + "/data.csv", atomically: true, encoding: .utf8)
        let problems = Pipeline.diagnose(file: file, environment: TestEnvironment.make())
        #expect(!problems.isEmpty)
        let text = problems.joined(separator: "\n")
        #expect(text.contains("header"))
        for leak in [Self.word, "alice", Self.number, "4417", "magenta", "Did you mean"] {
            #expect(!text.contains(leak), "'\(leak)' leaked: \(text)")
        }
        // An undeclared text column: counted, never named; suggestions come from declared names only.
        try "x,y,color,label,\(Self.word)\n1,2,red,1,a\n2,3,blue,0,b\n".write(toFile: dir + "/data.csv", atomically: true, encoding: .utf8)
        let undeclared = Pipeline.diagnose(file: file, environment: TestEnvironment.make()).joined(separator: "\n")
        #expect(undeclared.contains("1 column that the schema does not declare"))
        #expect(!undeclared.contains(Self.word))
    }

    @Test("unterminated quote and CR-only line ends: validate says what is wrong, not a misleading record count")
    func structuralErrors() throws {
        let (dir, file) = try Self.fixture()
        var rows = ["x,y,color,label"]
        for i in 0..<100 { rows.append(i == 5 ? "1,2,\"red,1" : "1,2,red,1") }
        try (rows.joined(separator: "\n") + "\n").write(toFile: dir + "/data.csv", atomically: true, encoding: .utf8)
        let problems = Pipeline.diagnose(file: file, environment: TestEnvironment.make()).joined(separator: "\n")
        #expect(problems.contains("quoted field is never closed"), "\(problems)")
        #expect(!problems.contains("batch_size") && !problems.contains("line 7"))
        // The owner's check names the line where the quote opened.
        let check = DataCheck.run(file: file, environment: TestEnvironment.make()).lines.joined(separator: "\n")
        #expect(check.contains("data.csv:7: error: malformed CSV"), "\(check)")

        var cr = ["x,y,color,label"]
        for i in 0..<100 { cr.append("\(i % 10),\(i % 7),red,\(i % 2)") }
        try (cr.joined(separator: "\r") + "\r").write(toFile: dir + "/data.csv", atomically: true, encoding: .utf8)
        #expect(Pipeline.diagnose(file: file, environment: TestEnvironment.make()) == [])
        #expect(try CSVShape.read(path: dir + "/data.csv") == CSVShape(columns: ["x", "y", "color", "label"], records: 100))
    }

    @Test("the planner streams: records across chunk boundaries, quoted line ends, CRLF and blank lines")
    func csvShapeStreams() throws {
        let dir = Fixtures.temporaryDirectory("dpflow-shape")
        var text = "a,\"b\nc\",d\r\n"
        var expected = 0
        while text.utf8.count < 3 << 20 {
            text += "1,\"two\r\nlines \"\"quoted\"\"\",3\r\n"
            expected += 1
            if expected % 1000 == 0 { text += "\r\n\n" }
        }
        try text.write(toFile: dir + "/big.csv", atomically: true, encoding: .utf8)
        let shape = try CSVShape.read(path: dir + "/big.csv")
        #expect(shape.columns == ["a", "b\nc", "d"])
        #expect(shape.records == expected)
    }

    @Test("select with 100,000 columns resolves in linear time")
    func wideSelect() throws {
        let dir = Fixtures.temporaryDirectory("dpflow-wide")
        let n = 100_000
        let names = (0..<n).map { "c\($0)" }
        let row = Array(repeating: "1", count: n).joined(separator: ",")
        try (names.joined(separator: ",") + "\n" + row + "\n" + row + "\n").write(toFile: dir + "/w.csv", atomically: true, encoding: .utf8)
        let yaml = """
        load: {csv: w.csv, schema: {default: {type: number, min: 0, max: 1}, c0: {type: category, values: ["0", "1"]}}}
        select: {features: all, label: c0, exclude: [c1, c2]}
        """
        let root = try SpecValue.parse(yaml: yaml, file: "w.yaml")
        var diagnostics = DiagnosticCollector()
        var context = ResolutionContext(directory: dir, stages: .standard, plugins: TestEnvironment.make().plugins)
        let entries = try #require(root.mappingEntries)
        let load = try #require(LoadStage.definition.decode(entries[0].value, &diagnostics) as? LoadStage)
        let select = try #require(SelectStage.definition.decode(entries[1].value, &diagnostics) as? SelectStage)
        load.resolve(&context)
        select.resolve(&context)
        #expect(!context.diagnostics.hasErrors, "\(context.diagnostics.sorted)")
        #expect(context.features?.count == n - 3)
        #expect(context.featureWidth == n - 3)
    }

    @Test("dpflow check: problems on stdout with line:column, exit 1, nothing written; clean data exits 0")
    func checkCommand() throws {
        let (dir, file) = try Self.fixture()
        let before = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        let r = try CommandLineTests.dpflow(["check", file, "--limit", "3"], in: dir)
        #expect(r.code == 1)
        #expect(r.stdout.contains("data.csv:18:1: column 'x': value '\(Self.number)' outside the declared bounds [0, 10] (run: clamped)"))
        #expect(r.stdout.contains("data.csv: 5 problems (first 3 listed): missing 1, invalid 1, out_of_bounds 1, unknown_category 1, ragged 1"))
        #expect(!r.stdout.contains("data.csv:77"))
        #expect(r.stderr.contains("OPERATOR OUTPUT"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == before)

        var rows = ["x,y,color,label"]
        for i in 0..<50 { rows.append("\(i % 10),\(i % 7),blue,\(i % 2)") }
        try (rows.joined(separator: "\n") + "\n").write(toFile: dir + "/data.csv", atomically: true, encoding: .utf8)
        let clean = try CommandLineTests.dpflow(["check", file], in: dir)
        #expect(clean.code == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.contains("data.csv: ok: 50 rows match the declared schema"))
    }
}
