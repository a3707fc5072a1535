import Foundation
import Testing
@testable import PrivateDataFrame

/// A unique sentinel string and number placed in cells must never appear in any error message,
/// description, release or ledger output.
@Suite("No raw value leaks")
struct NoRawValueLeakTests {
    static let word = "ZQXSENTINEL4417"
    static let number = "4417.0317"
    // Fragments long enough that random noise digits cannot produce them by chance
    // (a 9-character digit string: ~1e-9 per position).
    static let fragments = [word, "ZQXSENTINEL", number]

    let files = TestFiles()

    func expectClean(_ text: String, _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for f in Self.fragments {
            #expect(!text.contains(f), "\(context) leaks '\(f)': \(text)", sourceLocation: sourceLocation)
        }
    }

    static let schema = Schema(columns: [
        "name": .category(["alice", "bob"]), "v": .number(min: 0, max: 10000),
        "small": .number(min: 0, max: 100, outOfBounds: .error), "k": .integer(min: 0, max: 10000), "flag": .boolean(),
    ])

    /// Files that each fail because of a sentinel cell.
    var badFiles: [(String, String)] {
        let w = Self.word, n = Self.number
        let header = "name,v,small,k,flag\n"
        return [
            ("unknown-category", header + "alice,1,1,1,true\n\(w),1,1,1,true\n"),
            ("not-a-number", header + "alice,\(w),1,1,true\n"),
            ("out-of-bounds", header + "alice,1,\(n),1,true\n"),
            ("not-an-integer", header + "alice,1,1,\(n),true\n"),
            ("not-a-boolean", header + "alice,1,1,1,\(w)\n"),
            ("ragged", header + "alice,1,1,1,true,\(w)\n"),
            ("ragged-short", header + "\(w),\(n)\n"),
            ("quote", header + "alice,\(w)\"x,1,1,true\n"),
            ("unterminated", header + "alice,\"\(w),1,1,true\n"),
            ("no-header", "alice,\(n),1,1,true\n\(w),1,1,1,true\n"),
            ("no-header-numeric", "\(n),1\n2,3\n"),
            ("quoted-category", header + "\"\(w),\nx\",1,1,1,true\n"),
        ]
    }

    @Test func errorPathsNeverEchoCells() throws {
        for (name, content) in badFiles {
            let path = files.write(name + ".csv", content)
            do {
                _ = try PrivateDataFrame.load(csv: path, schema: Self.schema)
                Issue.record("\(name) loaded")
            } catch {
                expectClean(error.localizedDescription, name)
                expectClean(String(describing: error), name)
                expectClean("\(error)", name)
            }
        }
    }

    @Test func releasesDescriptionsAndLedgerNeverEchoCells() throws {
        var text = "name,v,small,k,flag,note,pred\n"
        for i in 0..<200 { text += "\(i % 2 == 0 ? "alice" : "bob"),\(i == 7 ? Self.number : "3"),5,\(i),true,\"\(Self.word), row\",\(i % 3 == 0 ? "bob" : "alice")\n" }
        let path = files.write("good.csv", text)
        let schema = Schema(columns: Self.schema.columns.merging([
            "note": .ignore, "pred": .category(["alice", "bob"])]) { a, _ in a })
        let frame = try PrivateDataFrame.load(csv: path, schema: schema, datasetID: "leak")
        let ledger = try SQLiteBudgetLedger.create(path: files.path("leak.sqlite"))
        try ledger.grant(dataset: "leak", epsilon: 100, delta: 1e-3)
        let b = ReleaseBudget(ledger: ledger, job: "leak-test")
        var outputs: [String] = [frame.description, String(describing: frame), "\(frame.schema)"]
        let (train, test) = try frame.split(testFraction: 0.3, seed: 1)
        outputs += [train.description, test.description]
        for noise in [ReleaseNoise.seeded(9), .secure] {
            for mech in [ReleaseMechanism.laplace, .gaussian(delta: 1e-5)] {
                let releases = [
                    try frame.releaseCount(epsilon: 0.5, mechanism: mech, charging: b, noise: noise),
                    try frame.releaseSum(of: "v", epsilon: 0.5, mechanism: mech, charging: b, noise: noise),
                    try frame.releaseMean(of: "v", epsilon: 0.5, mechanism: mech, charging: b, noise: noise),
                    try frame.releaseHistogram(of: "name", epsilon: 0.5, mechanism: mech, charging: b, noise: noise),
                    try frame.releaseAccuracy(prediction: "pred", label: "name", epsilon: 0.5, mechanism: mech, charging: b, noise: noise),
                    try frame.releaseConfusionMatrix(prediction: "pred", label: "name", epsilon: 0.5, mechanism: mech, charging: b, noise: noise),
                    try frame.releaseMeanSquaredError(prediction: "k", label: "v", epsilon: 0.5, mechanism: mech, charging: b, noise: noise),
                    try frame.releaseMeanAbsoluteError(prediction: "k", label: "v", epsilon: 0.5, mechanism: mech, charging: b, noise: noise),
                ]
                for r in releases {
                    outputs.append(r.description)
                    outputs.append(String(decoding: try JSONEncoder().encode(r), as: UTF8.self))
                }
            }
        }
        outputs.append(String(describing: try ledger.budgets()))
        outputs.append(String(describing: try ledger.spends()))
        // Errors of operations on a loaded frame.
        for op in [{ _ = try frame.select(features: ["nme"], label: "name") },
                   { _ = try frame.releaseSum(of: "name", epsilon: 1, charging: b) },
                   { _ = try frame.releaseAccuracy(prediction: "v", label: "name", epsilon: 1, charging: b) }] {
            do { try op(); Issue.record("no error") } catch { outputs.append(error.localizedDescription) }
        }
        for (k, o) in outputs.enumerated() { expectClean(o, "output \(k)") }
    }
}
