import Foundation
import Testing
@testable import BudgetLedgers

/// The ledger shared by real processes: the built `dpflow` binary (`dpflow ledger reserve`) runs
/// our ledger code in separate OS processes with their own SQLite connections.
@Suite("Budget ledger across processes", .serialized)
struct LedgerProcessTests {
    let files = TestFiles()

    /// The `dpflow` executable next to the test bundle (SwiftPM builds it with the tests), or
    /// `$DPFLOW_BINARY`.
    static func dpflowBinary() throws -> URL {
        if let p = ProcessInfo.processInfo.environment["DPFLOW_BINARY"] { return URL(fileURLWithPath: p) }
        var dir = Bundle.main.bundleURL
        if dir.pathExtension == "xctest" { dir.deleteLastPathComponent() }
        for candidate in [dir, Bundle.main.bundleURL.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("dpflow")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw LedgerError.ledger(path: "dpflow", reason: "dpflow binary not found near \(Bundle.main.bundleURL.path); build it or set DPFLOW_BINARY")
    }

    func reserveProcess(_ ledger: String, epsilon: Double, hold: Bool = false) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = try Self.dpflowBinary()
        p.arguments = ["ledger", "reserve", "race", "--epsilon", String(epsilon), "--delta", "1e-7",
                       "--job", "racer", "--ledger", ledger] + (hold ? ["--hold"] : [])
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        return (p, out)
    }

    @Test("16 dpflow processes race for a grant that fits exactly 5: 5 succeed, 11 exit 3, nothing overspent",
          arguments: LedgerKind.tested)
    func sixteenProcessesRaceForAGrantThatFitsFive(kind: LedgerKind) throws {
        let (ledger, location) = try kind.make(files, "race")
        try ledger.grant(dataset: "race", epsilon: 5.0, delta: 1e-6)
        let racers = try (0..<16).map { _ in try reserveProcess(location, epsilon: 1.0) }
        for (p, _) in racers { try p.run() }
        for (p, _) in racers { p.waitUntilExit() }
        let codes = racers.map { $0.0.terminationStatus }
        #expect(codes.filter { $0 == 0 }.count == 5, "exit codes \(codes)")
        #expect(codes.filter { $0 == 3 }.count == 11, "refused racers exit with status 3: \(codes)")
        let b = try ledger.budget(dataset: "race")
        #expect(b.reservedEpsilon == 5.0)
        #expect(b.reservedEpsilon + b.committedEpsilon <= b.grantedEpsilon)
        #expect(b.reservedDelta + b.committedDelta <= b.grantedDelta)
        #expect(try ledger.spends(dataset: "race").count == 5)
    }

    @Test(arguments: LedgerKind.tested)
    func sigkillAfterReservingLeavesTheReservationCharged(kind: LedgerKind) throws {
        let (ledger, path) = try kind.make(files, "kill")
        try ledger.grant(dataset: "race", epsilon: 1.0, delta: 1e-6)
        let (p, out) = try reserveProcess(path, epsilon: 0.8, hold: true)
        try p.run()
        // Wait until the child says it holds the reservation.
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        #expect(String(decoding: seen, as: UTF8.self).hasPrefix("reserved "))
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL)
        let b = try kind.open(path).budget(dataset: "race")
        #expect(b.reservedEpsilon == 0.8, "the killed job's reservation stays charged")
        #expect(throws: LedgerError.self) {
            try ledger.reserve(dataset: "race", job: "next", mechanism: "m", epsilon: 0.5, delta: 0)
        }
        _ = try ledger.reserve(dataset: "race", job: "next", mechanism: "m", epsilon: 0.2, delta: 0)
    }

    func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = try Self.dpflowBinary()
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test func cliGrantShowReserveCommit() throws {
        let path = files.path("cli.sqlite")
        let csv = files.write("d.csv", "x\n1\n")
        #expect(try run(["ledger", "grant", "--csv", csv, "--epsilon", "2", "--delta", "1e-5", "--ledger", path]).status == 3,
                "no ledger yet: refused, not created")
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try run(["ledger", "init", "--ledger", path]).status == 0)
        #expect(try run(["ledger", "grant", "--csv", csv, "--epsilon", "2", "--delta", "1e-5", "--ledger", path]).status == 0)
        let id = try SQLiteBudgetLedger(path: path).fingerprint(file: csv).datasetID
        #expect(id.hasPrefix("keyed:") && id.count == "keyed:".count + 32)
        let r = try run(["ledger", "reserve", id, "--epsilon", "1.5", "--job", "cli", "--ledger", path])
        #expect(r.status == 0 && r.out.hasPrefix("reserved "))
        let refused = try run(["ledger", "reserve", id, "--epsilon", "1", "--ledger", path])
        #expect(refused.status == 3 && refused.err.contains("would exceed the grant"))
        let reservation = String(r.out.dropFirst("reserved ".count)).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try run(["ledger", "commit", reservation, "--ledger", path]).status == 0)
        #expect(try run(["ledger", "commit", reservation, "--ledger", path]).status != 0)
        let show = try run(["ledger", "show", "--json", "--ledger", path])
        #expect(show.status == 0)
        struct Report: Decodable { let datasets: [DatasetBudget]; let spends: [BudgetSpend] }
        let report = try JSONDecoder().decode(Report.self, from: Data(show.out.utf8))
        #expect(report.datasets.map(\.dataset) == [id])
        #expect(report.datasets[0].committedEpsilon == 1.5 && report.datasets[0].grantedEpsilon == 2)
        #expect(report.spends.map(\.status) == [.committed] && report.spends[0].job == "cli")
        let text = try run(["ledger", "show", "--ledger", path])
        #expect(text.out.contains("remaining ε=0.5"))
        #expect(try run(["ledger", "grant", id, "--epsilon", "1", "--delta", "1e-5", "--ledger", path]).status != 0)
    }
}
