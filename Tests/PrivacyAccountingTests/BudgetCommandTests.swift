import Foundation
import Testing
import PrivacyAccounting

/// End-to-end tests of `dpflow budget` through the built binary (`swift build --build-tests`
/// builds it next to the test bundle).
@Suite(.serialized) struct BudgetCommandTests {
    static let binary: String = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = url.appendingPathComponent("dpflow").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            url.deleteLastPathComponent()
        }
        // Tests/PrivacyAccountingTests/BudgetCommandTests.swift → repository root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/dpflow").path
    }()

    struct Result { var code: Int32; var stdout: String; var stderr: String }

    static func budget(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["budget"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(code: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self))
    }

    static let mnist = ["--examples", "60000", "--batch-size", "256", "--epochs", "60", "--delta", "1e-5"]

    @Test func printsEpsilonNamingTheAccountant() throws {
        let r = try Self.budget(Self.mnist + ["--noise-multiplier", "1.1"])
        #expect(r.code == 0)
        // dp_accounting 0.4.3 for 14100 = 60·ceil(60000/256) steps (the pipelines' step convention): 2.600342938610302.
        #expect(r.stdout.contains("ε = 2.60034") && r.stdout.contains("RDP"))
        #expect(r.stdout.contains("14100 steps (60 epochs × 235 steps)"))
        #expect(r.stdout.contains("neighbouring: add_remove"))
    }

    @Test func jsonHasTheContractKeys() throws {
        let r = try Self.budget(Self.mnist + ["--noise-multiplier", "1.1", "--accountant", "pld", "--json"])
        #expect(r.code == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for key in ["epsilon", "delta", "noise_multiplier", "sampling_rate", "steps", "accountant"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["accountant"] as? String == "pld")
        #expect(object["steps"] as? Int == 14100)
        #expect(object["neighbouring"] as? String == "add_remove")
        // dp_accounting 0.4.3 PLDAccountant(1e-4) for 14100 steps: 2.3852107814860726.
        let eps = try #require(object["epsilon"] as? Double)
        #expect(abs(eps - 2.38521) < 5e-5)
    }

    @Test func targetEpsilonPrintsCalibratedSigma() throws {
        let r = try Self.budget(Self.mnist + ["--target-epsilon", "3", "--json"])
        #expect(r.code == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let sigma = try #require(object["noise_multiplier"] as? Double)
        let eps = try #require(object["epsilon"] as? Double)
        #expect(eps <= 3 && sigma > 1.0 && sigma < 1.03)
    }

    /// `--neighbouring replace_one`: fixed-size batches without replacement, accounted as the WBK19 bound with
    /// the clipped sum's replace-one sensitivity 2C (σ/2), same steps; PLD refused with exit code 2.
    @Test func replaceOneIsAccountedWithoutReplacement() throws {
        let r = try Self.budget(["--examples", "455", "--batch-size", "32", "--epochs", "30", "--delta", "1e-5",
                                 "--noise-multiplier", "2.2", "--neighbouring", "replace_one", "--json"])
        #expect(r.code == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["neighbouring"] as? String == "replace_one")
        #expect(object["steps"] as? Int == 450)
        var a = try RDPAccountant()
        try a.compose(.sampledWithoutReplacement(samplingRate: 32.0 / 455, event: .gaussian(noiseMultiplier: 1.1)), count: 450)
        let eps = try #require(object["epsilon"] as? Double)
        #expect(abs(eps - (try a.epsilon(delta: 1e-5))) <= 1e-12 * eps)
        let text = try Self.budget(["--examples", "455", "--batch-size", "32", "--epochs", "30", "--delta", "1e-5",
                                    "--noise-multiplier", "2.2", "--neighbouring", "replace_one"])
        #expect(text.stdout.contains("neighbouring: replace_one") && text.stdout.contains("without replacement"))
        let pld = try Self.budget(["--examples", "455", "--batch-size", "32", "--epochs", "30", "--delta", "1e-5",
                                   "--noise-multiplier", "2.2", "--neighbouring", "replace_one", "--accountant", "pld"])
        #expect(pld.code == 2 && pld.stderr.contains("--neighbouring"))
    }

    /// Every bad argument: a message on stderr naming the option, nothing on stdout, exit code 2.
    @Test(arguments: [
        (["--examples", "100", "--batch-size", "256", "--noise-multiplier", "1", "--epochs", "1", "--delta", "1e-5"], "--batch-size"),
        (["--examples", "1000", "--batch-size", "10", "--noise-multiplier", "0", "--epochs", "1", "--delta", "1e-5"], "--noise-multiplier"),
        (["--examples", "1000", "--batch-size", "10", "--noise-multiplier", "-1", "--epochs", "1", "--delta", "1e-5"], "--noise-multiplier"),
        (["--examples", "1000", "--batch-size", "10", "--noise-multiplier", "1", "--epochs", "1", "--delta", "1"], "--delta"),
        (["--examples", "1000", "--batch-size", "10", "--noise-multiplier", "1", "--epochs", "1", "--delta", "0"], "--delta"),
        (["--examples", "ten", "--batch-size", "10", "--noise-multiplier", "1", "--epochs", "1", "--delta", "1e-5"], "--examples"),
        (["--examples", "1000", "--batch-size", "10", "--noise-multiplier", "abc", "--epochs", "1", "--delta", "1e-5"], "--noise-multiplier"),
        (["--examples", "1000", "--batch-size", "10", "--noise-multiplier", "1", "--epochs", "1", "--delta", "1e-5", "--accountant", "gdp"], "--accountant"),
        (["--examples", "1000", "--batch-size", "10", "--epochs", "1", "--delta", "1e-5"], "--noise-multiplier"),
        (["--examples", "1000", "--batch-size", "10", "--noise-multiplier", "1", "--target-epsilon", "1", "--epochs", "1", "--delta", "1e-5"], "--target-epsilon"),
        (["--examples", "1000", "--batch-size", "10", "--noise-multiplier", "1", "--epochs", "1", "--delta", "1e-5", "--bogus"], "--bogus"),
        (["--examples", "1000", "--batch-size", "10", "--noise-multiplier", "1", "--epochs", "1", "--delta", "1e-5", "--neighbouring", "swap"], "--neighbouring"),
        (["--examples", "1000", "--batch-size", "10", "--noise-multiplier", "1", "--epochs", "9e300", "--delta", "1e-5"], "epochs"),
    ])
    func badArgumentsExitTwo(arguments: [String], mentions: String) throws {
        let r = try Self.budget(arguments)
        #expect(r.code == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("error:") && r.stderr.contains(mentions), "stderr: \(r.stderr)")
    }
}
