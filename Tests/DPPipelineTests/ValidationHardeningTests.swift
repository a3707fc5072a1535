import Foundation
import Testing
@testable import DPPipeline
import PrivateDataFrame

/// Issue 12, classes 1 and 3: hostile or extreme pipeline files are validation errors with `file:line:column`,
/// found before any budget is reserved, never a trap, an expansion bomb or a run that fails after the charge.
struct HardeningCase: Sendable, CustomTestStringConvertible {
    var name: String
    var yaml: String
    /// The text the error is located at (its first occurrence in `yaml`), and the message after `error: `.
    var at: String
    var message: String
    var testDescription: String { name }
}

/// The valid fixture with `old` replaced by `new` (which must occur once).
private func mutate(_ old: String, _ new: String) -> String {
    precondition(Fixtures.validBreastCancer.components(separatedBy: old).count == 2, "fixture has no single '\(old)'")
    return Fixtures.validBreastCancer.replacingOccurrences(of: old, with: new)
}

/// `line:column` (1-based, columns in characters) of the first occurrence of `needle`.
private func location(of needle: String, in text: String) -> String {
    guard let range = text.range(of: needle) else { return "?:?" }
    let before = text[..<range.lowerBound]
    let line = before.split(separator: "\n", omittingEmptySubsequences: false).count
    let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
    return "\(line):\(column)"
}

let hardeningCases: [HardeningCase] = [
    // Class 1: numbers that used to trap, and checked arithmetic on every number.
    .init(name: "epochs Int.max (decimal)", yaml: mutate("epochs: 2", "epochs: 9223372036854775807"),
          at: "9223372036854775807", message: "'stages[3].train.epochs' must be between 1 and 1000000, found 9223372036854775807"),
    .init(name: "epochs Int.max (hex)", yaml: mutate("epochs: 2", "epochs: 0x7fffffffffffffff"),
          at: "0x7fff", message: "'stages[3].train.epochs' must be between 1 and 1000000, found 9223372036854775807"),
    .init(name: "epochs beyond 64 bits", yaml: mutate("epochs: 2", "epochs: 99999999999999999999"),
          at: "99999999999999999999", message: "'stages[3].train.epochs' must be between 1 and 1000000, found an integer too large for 64 bits"),
    .init(name: "batch size beyond the limit (octal)", yaml: mutate("batch_size: 32", "batch_size: 0o777777777777"),
          at: "0o777", message: "'stages[3].train.batch_size' must be between 1 and 1000000000, found 68719476735"),
    .init(name: "noise multiplier 1e-300", yaml: mutate("noise_multiplier: 1.1", "noise_multiplier: 1e-300"),
          at: "1e-300", message: "'stages[3].train.noise_multiplier' must be between 0.01 and 1000000, found 1e-300"),
    .init(name: "clip infinite", yaml: mutate("l2_norm_clip: 1.0", "l2_norm_clip: .inf"),
          at: ".inf", message: "'stages[3].train.l2_norm_clip' must be a finite number, found '.inf' (not a finite number)"),
    .init(name: "learning rate beyond Double", yaml: mutate("learning_rate: 0.01", "learning_rate: 1e999"),
          at: "1e999", message: "'stages[3].train.optimizer.adam.learning_rate' must be a finite number, found '1e999' (not a finite number)"),
    .init(name: "units 10^9", yaml: mutate("{units: 8, activation: relu}", "{units: 1000000000, activation: relu}"),
          at: "1000000000", message: "'stages[3].train.model[0].dense.units' must be between 1 and 1000000, found 1000000000"),
    .init(name: "NaN plugin parameter", yaml: mutate("{adam: {learning_rate: 0.01}}", "{adam: {learning_rate: 0.01, beta_1: .nan}}"),
          at: ".nan", message: "'stages[3].train.optimizer.adam.beta_1' must be a finite number of magnitude at most 1e15, found '.nan'"),
    .init(name: "sign after the hex prefix (trapped: Int.min · −1)", yaml: mutate("seed: 0}", "seed: -0x-8000000000000000}"),
          at: "-0x-8", message: "'stages[2].split.seed' must be an integer, found a string"),
    .init(name: "negative budget", yaml: mutate("budget: {epsilon: 10.0", "budget: {epsilon: -1"),
          at: "-1", message: "'privacy.budget.epsilon' must be between 1e-06 and 1000000, found -1"),

    // Class 3: failures that used to be found only after the reservation.
    .init(name: "evaluate epsilon 1e-300", yaml: mutate("epsilon: 0.2}", "epsilon: 1e-300}"),
          at: "1e-300", message: "'stages[5].evaluate.epsilon' must be between 1e-06 and 100, found 1e-300"),
    .init(name: "mean squared error on a category label", yaml: mutate("{metrics: [accuracy]", "{metrics: [mean_squared_error]"),
          at: "[mean_squared_error]", message: "metric 'mean_squared_error' needs a number, integer or boolean label with declared bounds; the label 'target' is category"),
    .init(name: "mean absolute error on a category label", yaml: mutate("{metrics: [accuracy]", "{metrics: [accuracy, mean_absolute_error]"),
          at: "[accuracy, mean", message: "metric 'mean_absolute_error' needs a number, integer or boolean label with declared bounds; the label 'target' is category"),
    .init(name: "test fraction 1e-9", yaml: mutate("test_fraction: 0.2", "test_fraction: 1e-9"),
          at: "1e-9", message: "'stages[2].split.test_fraction' must be between 0.01 and 0.99, found 1e-09"),
    .init(name: "declared bounds ±1e308", yaml: mutate("min: 0, max: 4300}", "min: -1e308, max: 4300}"),
          at: "-1e308", message: "'stages[0].load.schema.default.min' must be between -1e15 and 1e15 (declared bounds keep widths and sensitivities finite), found -1e+308"),
    .init(name: "noise multiplier 1e300", yaml: mutate("noise_multiplier: 1.1", "noise_multiplier: 1e300"),
          at: "1e300", message: "'stages[3].train.noise_multiplier' must be between 0.01 and 1000000, found 1e+300"),
    .init(name: "budget epsilon above 10^6", yaml: mutate("budget: {epsilon: 10.0", "budget: {epsilon: 1e7"),
          at: "1e7", message: "'privacy.budget.epsilon' must be between 1e-06 and 1000000, found 10000000"),
    .init(name: "target epsilon above 10^6", yaml: mutate("noise_multiplier: 1.1", "target_epsilon: 1e7"),
          at: "1e7", message: "'stages[3].train.target_epsilon' must be between 0.01 and 100, found 10000000"),
    .init(name: "release epsilon above the limit", yaml: mutate("  - export: {model: model}", "  - release: {statistic: count, epsilon: 1000}"),
          at: "1000}", message: "'stages[6].release.epsilon' must be between 1e-06 and 100, found 1000"),
    .init(name: "categorical cross-entropy with one output on a 2-value label (trapped in the loss after the reservation)",
          yaml: mutate("loss: binary_crossentropy", "loss: categorical_crossentropy"),
          at: "dense: {units: 1", message: "categorical_crossentropy: the last layer has 1 outputs but 'target' declares 2 values (one-hot targets)"),
    .init(name: "regression loss with two outputs (trapped in the loss after the reservation)",
          yaml: mutate("loss: binary_crossentropy", "loss: huber").replacingOccurrences(of: "{units: 1, activation: sigmoid}", with: "{units: 2, activation: sigmoid}"),
          at: "dense: {units: 2", message: "huber is trained on 'target' as one value per example, so the model needs 1 output; this model has 2"),
    .init(name: "export name longer than a file name (failed at the write, after training and the charge)",
          yaml: mutate("export: {model: model}", "export: {model: \(String(repeating: "m", count: 300))}"),
          at: "export: {", message: "export name: is longer than 200 bytes"),
    .init(name: "export name with a newline", yaml: mutate("export: {model: model}", "export: {model: \"a\\nb\"}"),
          at: "export: {", message: "export name: must not contain control characters (newline, NUL, …)"),
    .init(name: "training delta 1e-300", yaml: mutate("  dataset: test-bc", "  dataset: test-bc\n  delta: 1e-300"),
          at: "1e-300", message: "'privacy.delta' must be between 1e-15 and 0.1, found 1e-300"),
]

@Suite("Validation hardening (issue 12)")
struct ValidationHardeningTests {
    static let file = "hardening.yaml"

    /// The diagnostics of loading `yaml`, or [] when it loads.
    static func diagnostics(_ yaml: String) -> [String] {
        do {
            _ = try Pipeline.load(yaml: yaml, file: file, directory: Fixtures.pipelines, environment: TestEnvironment.make())
            return []
        } catch let error as PipelineError {
            if case .invalidPipeline(let d) = error { return d.map(\.description) }
            return [error.description]
        } catch {
            return ["\(error)"]
        }
    }

    @Test("extreme numbers are validation errors at their line and column", arguments: hardeningCases)
    func extremeValue(_ testCase: HardeningCase) {
        let expected = "\(Self.file):\(location(of: testCase.at, in: testCase.yaml)): error: \(testCase.message)"
        #expect(Self.diagnostics(testCase.yaml).contains(expected), "expected \(expected)")
    }

    @Test("`dpflow validate` (Pipeline.diagnose) fails on each case, so nothing is planned or reserved", arguments: hardeningCases)
    func validateFails(_ testCase: HardeningCase) throws {
        let dir = Fixtures.temporaryDirectory("dpflow-hardening")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/data", withDestinationPath: Fixtures.data)
        try testCase.yaml.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        let problems = Pipeline.diagnose(file: dir + "/p.yaml", environment: TestEnvironment.make())
        #expect(problems.contains { $0.hasPrefix("\(dir)/p.yaml:\(location(of: testCase.at, in: testCase.yaml)): error: ") })
        // Without a valid pipeline there is nothing a runner could plan, hence nothing to reserve.
        #expect(throws: PipelineError.self) {
            try Pipeline.load(yaml: testCase.yaml, file: "p.yaml", directory: Fixtures.pipelines, environment: TestEnvironment.make())
        }
    }

    @Test("the valid fixture still validates and plans")
    func validFixturePlans() throws {
        let pipeline = try Pipeline.load(yaml: Fixtures.validBreastCancer, file: "t.yaml", directory: Fixtures.pipelines,
                                         environment: TestEnvironment.make())
        let plan = try pipeline.plan(datasetID: { _ in "x" })
        #expect((plan.testRecords ?? 0) > 0)
    }

    @Test("under add_remove a file's realised number of rows (0 or 1) fails nothing; under replace_one it is public and checked")
    func tinyFileUnderEachRelation() throws {
        let dir = Fixtures.temporaryDirectory("dpflow-hardening")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let yaml = Fixtures.validBreastCancer.replacingOccurrences(of: "data/breast_cancer.csv", with: "d.csv")
        try yaml.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        try yaml.replacingOccurrences(of: "public_size: 569", with: "neighbouring: replace_one")
            .write(toFile: dir + "/r.yaml", atomically: true, encoding: .utf8)
        for rows in [["x,target"], ["x,target", "0.5,1"]] {
            try (rows.joined(separator: "\n") + "\n").write(toFile: dir + "/d.csv", atomically: true, encoding: .utf8)
            // Failing here told the pipeline author that the private data set has fewer than 2 rows.
            #expect(Pipeline.diagnose(file: dir + "/p.yaml", environment: TestEnvironment.make()).isEmpty, "\(rows.count - 1) rows")
            #expect(Pipeline.diagnose(file: dir + "/r.yaml", environment: TestEnvironment.make())
                .contains { $0.contains("has fewer than 2 records") })
        }
    }

    @Test("an empty test part is found by validate (planning), before any reservation")
    func emptyTestPart() throws {
        let dir = Fixtures.temporaryDirectory("dpflow-hardening")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // 12 records and test_fraction 0.01: the split's public row rule puts no record in the test part.
        let rows = ["x,target"] + (0..<12).map { "\(Double($0) / 12),\($0 % 2)" }
        try (rows.joined(separator: "\n") + "\n").write(toFile: dir + "/d.csv", atomically: true, encoding: .utf8)
        let yaml = Fixtures.validBreastCancer
            .replacingOccurrences(of: "data/breast_cancer.csv", with: "d.csv")
            .replacingOccurrences(of: "test_fraction: 0.2", with: "test_fraction: 0.01")
            .replacingOccurrences(of: "batch_size: 32", with: "batch_size: 4")
            .replacingOccurrences(of: "public_size: 569", with: "neighbouring: replace_one")
        // Under replace_one N = 12 is public and the split hashes positions: its sizes are known at plan time.
        let sizes = try PrivateDataFrame.splitSizes(rowCount: 12, testFraction: 0.01, seed: 0)
        try #require(sizes.test == 0, "the fixture needs a split with an empty test part")
        try yaml.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        let problems = Pipeline.diagnose(file: dir + "/p.yaml", environment: TestEnvironment.make())
        #expect(problems == ["\(dir)/p.yaml:\(location(of: "evaluate: {", in: yaml)): error: the test part is empty (12 records split with the declared test_fraction); raise test_fraction"])
    }

    // MARK: YAML anchors, aliases, size and nesting (class 1)

    /// "Billion laughs": nine levels of ten aliases each, under 1 KB.
    static let billionLaughs: String = {
        var lines = ["name: lol", "a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]"]
        for level in 1...9 {
            lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test("a billion-laughs file is refused at the first anchor, before any tree is built")
    func billionLaughs() {
        #expect(Self.billionLaughs.utf8.count < 1024)
        let problems = Self.diagnostics(Self.billionLaughs)
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("\(Self.file):2:5: error: YAML aliases/anchors are not supported (found '&a0')") == true)
    }

    @Test("dpflow validate and plan refuse the bomb file with exit 1 (the built binary)")
    func billionLaughsCommandLine() throws {
        let dir = Fixtures.temporaryDirectory("dpflow-hardening")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.billionLaughs.write(toFile: dir + "/bomb.yaml", atomically: true, encoding: .utf8)
        for command in ["validate", "plan"] {
            let r = try CommandLineTests.dpflow([command, "bomb.yaml"], in: dir)
            #expect(r.code == 1)
            #expect(r.stderr.contains("bomb.yaml:2:5: error: YAML aliases/anchors are not supported"))
        }
    }

    @Test("an alias used as a complex key (hashed by the composer) is refused too")
    func aliasAsKey() {
        let yaml = "name: x\na: &a {b: [1, 2]}\n? *a\n: 3\n"
        #expect(Self.diagnostics(yaml).first?.hasPrefix("\(Self.file):2:4: error: YAML aliases/anchors are not supported") == true)
    }

    @Test("the prescan reports every anchor or alias libyaml would read", arguments: [
        ("x: &a 1", "1:4"), ("x: *a", "1:4"), ("- [&a 1, *a]", "1:4"), ("{a: *b}", "1:5"), ("x:\n  - &anchor-1 v", "2:5"),
        ("x: 1 # c\ny: *z", "2:4"), ("\"x\": *q", "1:6"), ("x: ['a', *b]", "1:10"), ("x: |\n  text\ny: &t 2", "3:4"),
    ])
    func prescanFindsTokens(_ yaml: String, _ position: String) {
        let problem = YAMLPrescan.check(yaml, file: "f")
        #expect(problem.map { "\($0.position.line):\($0.position.column)" } == position)
    }

    @Test("text that only looks like an anchor is accepted where the scan can prove it is not one", arguments: [
        "name: R&D", "x: 3*4", "x: a & b", "x: a * b", "# see *note and &this\nx: 1", "x: 1  # *emphasis*",
        "x: \"a\" # trailing *c", "x: 2 ** 3",
    ])
    func prescanAcceptsText(_ yaml: String) {
        #expect(YAMLPrescan.check(yaml, file: "f") == nil)
    }

    @Test("size and nesting are bounded before parsing")
    func sizeAndNesting() {
        let deepFlow = "x: " + String(repeating: "[", count: 3000) + String(repeating: "]", count: 3000)
        #expect(YAMLPrescan.check(deepFlow, file: "f")?.message.contains("more than 2000 '[' or '{'") == true)
        let deepBlock = "x:\n" + String(repeating: "- ", count: 150) + "1"
        #expect(YAMLPrescan.check(deepBlock, file: "f")?.message.contains("nested too deeply") == true)
        let huge = "name: x\ndescription: \"" + String(repeating: "a", count: (1 << 20) + 1) + "\"\n"
        #expect(YAMLPrescan.check(huge, file: "f")?.message.contains("larger than 1024 KiB") == true)
        // libyaml itself stops at 1000 nested levels; the deepest nesting it accepts parses without exhausting a
        // thread's stack (the YAML composer and the conversion recurse once per level), deeper is an error.
        func nested(_ blocks: Int, _ flows: Int) -> String {
            "name: x\nv:\n" + String(repeating: "- ", count: blocks) + String(repeating: "[", count: flows)
                + String(repeating: "]", count: flows) + "\n"
        }
        #expect(YAMLPrescan.check(nested(99, 1999), file: "f") == nil)
        #expect(throws: PipelineError.self) { try SpecValue.parse(yaml: nested(99, 1999), file: "f") }
        #expect((try? SpecValue.parse(yaml: nested(50, 940), file: "f")) != nil)
        // Moderate nesting still parses.
        let moderate = "name: x\nv: " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "\n"
        #expect((try? SpecValue.parse(yaml: moderate, file: "f")) != nil)
    }

    // MARK: integer literals

    @Test("integer literals never trap: the sign is parsed with the digits, signs inside are refused")
    func integerLiterals() {
        #expect(SpecValue.int("-0x8000000000000000") == Int.min)
        #expect(SpecValue.int("-9223372036854775808") == Int.min)
        #expect(SpecValue.int("9223372036854775808") == nil)
        #expect(SpecValue.int("-0x-8000000000000000") == nil)
        #expect(SpecValue.int("0x+1") == nil)
        #expect(SpecValue.int("0o8") == nil)
        #expect(SpecValue.int("0x1F") == 31)
        #expect(SpecValue.int("+0o17") == 15)
        #expect(SpecValue.isOverflowingInteger("0x10000000000000000"))
        #expect(!SpecValue.isOverflowingInteger("12"))
    }
}
