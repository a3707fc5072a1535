import Foundation
import Testing

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
        #expect(r.stdout.contains("ε = 2.59666") && r.stdout.contains("RDP"))
        #expect(r.stdout.contains("14063 steps"))
    }

    @Test func jsonHasTheContractKeys() throws {
        let r = try Self.budget(Self.mnist + ["--noise-multiplier", "1.1", "--accountant", "pld", "--json"])
        #expect(r.code == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for key in ["epsilon", "delta", "noise_multiplier", "sampling_rate", "steps", "accountant"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["accountant"] as? String == "pld")
        #expect(object["steps"] as? Int == 14063)
        let eps = try #require(object["epsilon"] as? Double)
        #expect(abs(eps - 2.3818) < 5e-5)
    }

    @Test func targetEpsilonPrintsCalibratedSigma() throws {
        let r = try Self.budget(Self.mnist + ["--target-epsilon", "3", "--json"])
        #expect(r.code == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let sigma = try #require(object["noise_multiplier"] as? Double)
        let eps = try #require(object["epsilon"] as? Double)
        #expect(eps <= 3 && sigma > 1.0 && sigma < 1.03)
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
    ])
    func badArgumentsExitTwo(arguments: [String], mentions: String) throws {
        let r = try Self.budget(arguments)
        #expect(r.code == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("error:") && r.stderr.contains(mentions), "stderr: \(r.stderr)")
    }
}
