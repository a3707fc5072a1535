import Foundation
import Testing
@testable import BudgetLedgers

/// One suite, run against every `BudgetLedger` implementation (SQLite and PostgreSQL): the reserve → commit
/// protocol, exact fixed-point amounts, no refunds, no deletes, fail closed, and concurrent clients that never
/// overspend. The PostgreSQL cases start their own server (`PostgresTestServer`) and fail if it cannot start.
@Suite("Budget ledger protocol (SQLite and PostgreSQL)", .serialized)
struct SharedLedgerSuite {
    let files = TestFiles()

    @Test("reserve → commit; a request that does not fit is refused and records nothing", arguments: LedgerKind.tested)
    func reserveCommitRefuse(kind: LedgerKind) throws {
        let (ledger, _) = try kind.make(files)
        try ledger.grant(dataset: "d", epsilon: 1.0, delta: 1e-5)
        let r1 = try ledger.reserve(dataset: "d", job: "a", mechanism: "dp-sgd", epsilon: 0.6, delta: 5e-6)
        do {
            _ = try ledger.reserve(dataset: "d", job: "b", mechanism: "dp-sgd", epsilon: 0.5, delta: 0)
            Issue.record("overspend accepted")
        } catch let LedgerError.budgetExceeded(dataset, re, _, le, _) {
            #expect(dataset == "d" && re == 0.5 && abs(le - 0.4) < 1e-12)
        }
        #expect(try ledger.spends(dataset: "d").count == 1, "the refusal recorded nothing")
        try ledger.commit(r1)
        #expect(throws: LedgerError.reservationNotFound(id: r1.id)) { try ledger.commit(r1) }
        #expect(throws: LedgerError.reservationNotFound(id: 987_654)) { try ledger.commit(id: 987_654) }
        let b = try ledger.budget(dataset: "d")
        #expect(b.committedEpsilon == 0.6 && b.reservedEpsilon == 0 && b.committedDelta == 5e-6)
        #expect(abs(b.remainingEpsilon - 0.4) < 1e-12)
        let spends = try ledger.spends(dataset: nil)
        #expect(spends.map(\.status) == [.committed] && spends[0].job == "a" && spends[0].mechanism == "dp-sgd")
        #expect(spends[0].committedAt != nil && !spends[0].reservedAt.isEmpty)
    }

    @Test("exact fixed point: 0.1 + 0.1 + 0.1 fits a grant of 0.3, one more unit does not", arguments: LedgerKind.tested)
    func exactFixedPoint(kind: LedgerKind) throws {
        let (ledger, _) = try kind.make(files)
        try ledger.grant(dataset: "d", epsilon: 0.3, delta: 3e-7)
        for _ in 0..<3 { _ = try ledger.reserve(dataset: "d", job: "j", mechanism: "m", epsilon: 0.1, delta: 1e-7) }
        #expect(throws: LedgerError.self) { _ = try ledger.reserve(dataset: "d", job: "j", mechanism: "m", epsilon: 1e-12, delta: 0) }
        #expect(throws: LedgerError.self) { _ = try ledger.reserve(dataset: "d", job: "j", mechanism: "m", epsilon: 0, delta: 1e-18) }
        let u = try #require(try ledger.units(dataset: "d"))
        #expect(u.chargedEpsilon == u.grantedEpsilon && u.grantedEpsilon == 300_000_000_000)
        #expect(u.chargedDelta == u.grantedDelta && u.grantedDelta == 300_000_000_000)
    }

    @Test("no grant, bad amounts, and a grant below what is charged are refused", arguments: LedgerKind.tested)
    func refusals(kind: LedgerKind) throws {
        let (ledger, _) = try kind.make(files)
        #expect(throws: LedgerError.noGrant(dataset: "nope")) {
            _ = try ledger.reserve(dataset: "nope", job: "j", mechanism: "m", epsilon: 0.1, delta: 0)
        }
        #expect(try ledger.units(dataset: "nope") == nil)
        #expect(try !ledger.hasGrant(dataset: "nope"))
        #expect(throws: LedgerError.self) { try ledger.grant(dataset: "d", epsilon: -1, delta: 0) }
        #expect(throws: LedgerError.self) { try ledger.grant(dataset: "d", epsilon: 1, delta: 1) }
        #expect(throws: LedgerError.self) { try ledger.grant(dataset: "d", epsilon: .nan, delta: 0) }
        #expect(throws: LedgerError.self) { try ledger.grant(dataset: "", epsilon: 1, delta: 0) }
        try ledger.grant(dataset: "d", epsilon: 2, delta: 1e-5)
        #expect(throws: LedgerError.self) { _ = try ledger.reserve(dataset: "d", job: "j", mechanism: "m", epsilon: .infinity, delta: 0) }
        _ = try ledger.reserve(dataset: "d", job: "j", mechanism: "m", epsilon: 1.5, delta: 0)
        #expect(throws: LedgerError.self) { try ledger.grant(dataset: "d", epsilon: 1, delta: 1e-5) }
        try ledger.grant(dataset: "d", epsilon: 1.5, delta: 1e-5)  // down to what is charged: allowed
        try ledger.grant(dataset: "d", epsilon: 3, delta: 1e-5)
        #expect(try ledger.budget(dataset: "d").grantedEpsilon == 3)
        #expect(try ledger.budgets().map(\.dataset) == ["d"])
    }

    @Test("reservations survive reopening; the database itself refuses refunds, deletes and rewrites", arguments: LedgerKind.tested)
    func databaseRefusesRewritingHistory(kind: LedgerKind) throws {
        let location: String
        do {
            let (ledger, l) = try kind.make(files)
            location = l
            try ledger.grant(dataset: "d", epsilon: 1, delta: 1e-6)
            _ = try ledger.reserve(dataset: "d", job: "crashed", mechanism: "m", epsilon: 0.7, delta: 0)
            let done = try ledger.reserve(dataset: "d", job: "done", mechanism: "m", epsilon: 0.1, delta: 0)
            try ledger.commit(done)
        }
        let ledger = try kind.open(location)
        #expect(try ledger.budget(dataset: "d").reservedEpsilon == 0.7)
        for sql in ["DELETE FROM spends",
                    "UPDATE spends SET epsilon_units = 0",
                    "UPDATE spends SET dataset = 'other'",
                    "UPDATE spends SET status = 'reserved' WHERE job = 'done'",
                    "DELETE FROM datasets",
                    "DELETE FROM ledger_meta",
                    "UPDATE ledger_meta SET value = 'x' WHERE key = 'secret'",
                    // An overspend written past dpflow's code: the database's own check refuses it.
                    "INSERT INTO spends (dataset, job, mechanism, epsilon_units, delta_units, epsilon, delta, status, reserved_at) "
                        + "VALUES ('d', 'rogue', 'm', 500000000000, 0, 0.5, 0, 'reserved', '2026-01-01')",
                    "UPDATE datasets SET granted_epsilon_units = 1"] {
            #expect(throws: (any Error).self, "the database accepted: \(sql)") { try kind.rawExecute(ledger, sql) }
        }
        let b = try ledger.budget(dataset: "d")
        #expect(b.reservedEpsilon == 0.7 && b.committedEpsilon == 0.1 && b.grantedEpsilon == 1)
        #expect(try ledger.spends(dataset: "d").count == 2)
    }

    @Test("a file bound to one data set is refused under another unless bound explicitly; fingerprints are keyed per ledger",
          arguments: LedgerKind.tested)
    func bindings(kind: LedgerKind) throws {
        let (ledger, _) = try kind.make(files, "a")
        let (other, _) = try kind.make(files, "b")
        let csv = files.write("data.csv", "x\n1\n2\n")
        let fp = try ledger.fingerprint(file: csv)
        #expect(fp.datasetID.hasPrefix("keyed:") && fp.datasetID.count == 6 + 32)
        #expect(try other.fingerprint(file: csv) != fp, "each ledger has its own secret")
        #expect(try ledger.fingerprint(file: csv) == fp)
        try ledger.bind(dataset: "patients", file: fp, displayPath: csv)
        try ledger.bind(dataset: "patients", file: fp, displayPath: csv)  // idempotent
        #expect(try ledger.datasets(boundTo: fp) == ["patients"])
        #expect(throws: LedgerError.self) { try ledger.bind(dataset: "patients-v2", file: fp, displayPath: csv) }
        try ledger.bind(dataset: "patients-v2", file: fp, displayPath: csv, explicit: true)
        #expect(try ledger.datasets(boundTo: fp) == ["patients", "patients-v2"])
        #expect(throws: LedgerError.fileUnreadable(file: files.path("none.csv"), reason: "cannot open")) {
            _ = try ledger.fingerprint(file: files.path("none.csv"))
        }
    }

    @Test("16 concurrent clients against a grant that fits exactly k = 5: exactly 5 succeed, nothing overspent",
          arguments: LedgerKind.tested)
    func sixteenConcurrentClients(kind: LedgerKind) async throws {
        let (ledger, location) = try kind.make(files)
        try ledger.grant(dataset: "race", epsilon: 1.0, delta: 5e-6)
        let clients = try (0..<16).map { _ in try kind.open(location) }  // separate connections, like separate processes
        let outcomes = await withTaskGroup(of: String.self) { group in
            for (i, client) in clients.enumerated() {
                group.addTask {
                    do {
                        let r = try client.reserve(dataset: "race", job: "client-\(i)", mechanism: "m", epsilon: 0.2, delta: 1e-6)
                        try client.commit(r)
                        return "ok"
                    } catch let LedgerError.budgetExceeded(_, _, _, _, _) {
                        return "refused"
                    } catch {
                        return "error: \(error)"
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == "ok" }.count == 5, "\(outcomes)")
        #expect(outcomes.filter { $0 == "refused" }.count == 11, "\(outcomes)")
        let u = try #require(try ledger.units(dataset: "race"))
        #expect(u.chargedEpsilon == u.grantedEpsilon && u.chargedDelta == u.grantedDelta)
        let b = try ledger.budget(dataset: "race")
        #expect(b.committedEpsilon == 1.0 && b.reservedEpsilon == 0)
        #expect(try ledger.spends(dataset: "race").count == 5)
    }

    @Test("init never overwrites a ledger, and opening a place without one fails closed", arguments: LedgerKind.tested)
    func initAndOpenFailClosed(kind: LedgerKind) throws {
        let location = try kind.freshLocation(files)
        #expect(throws: LedgerError.self) { _ = try kind.open(location) }
        let ledger = try LedgerLocation(path: location, isExplicit: true).create()
        try ledger.grant(dataset: "d", epsilon: 1, delta: 0)
        #expect(throws: LedgerError.self) { _ = try LedgerLocation(path: location, isExplicit: true).create() }
        let reopened = try kind.open(location)
        #expect(reopened.identity == ledger.identity && !ledger.identity.isEmpty)
        #expect(try reopened.budget(dataset: "d").grantedEpsilon == 1)
    }
}
