import Foundation
import Testing
@testable import BudgetLedgers

/// Issue 12 classes 2 and 4, and issue 11 item 4: the ledger fails closed, amounts follow one rounding rule,
/// and dataset ids and file fingerprints are keyed, never a plain hash of the data.
@Suite("Budget ledger fails closed")
struct LedgerFailsClosedTests {
    let files = TestFiles()

    func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? -1
    }

    func expectRefused(_ path: String, mentioning words: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try SQLiteBudgetLedger(path: path)
            Issue.record("the ledger at \(path) was accepted", sourceLocation: sourceLocation)
        } catch let error as LedgerError {
            guard case .ledger(let p, let reason) = error else {
                Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(p == path, sourceLocation: sourceLocation)
            #expect(reason.contains(words), "\(reason)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("a missing ledger is refused and not created")
    func missing() {
        let path = files.path("missing.sqlite")
        expectRefused(path, mentioning: "dpflow ledger init")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("an empty (0-byte) ledger is refused and left as it is, never re-initialised")
    func empty() {
        let path = files.write("empty.sqlite", "")
        expectRefused(path, mentioning: "empty (0 bytes)")
        #expect(size(path) == 0)
    }

    @Test("a truncated ledger, a file of garbage, a foreign SQLite file and a folder are refused")
    func damaged() throws {
        let good = files.path("good.sqlite")
        let ledger = try SQLiteBudgetLedger.create(path: good)
        try ledger.grant(dataset: "d", epsilon: 1, delta: 1e-6)
        for i in 0..<20 { _ = try ledger.reserve(dataset: "d", job: "j\(i)", mechanism: "m", epsilon: 0.01, delta: 0) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        #expect(bytes.count > 4096)
        // Cut after the first page: the header promises pages that are gone.
        let truncated = files.write("truncated.sqlite", bytes: Array(bytes.prefix(bytes.count / 2)))
        expectRefused(truncated, mentioning: "refused")
        let headerOnly = files.write("header.sqlite", bytes: Array(bytes.prefix(100)))
        expectRefused(headerOnly, mentioning: "refused")
        let garbage = files.write("garbage.sqlite", bytes: (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        expectRefused(garbage, mentioning: "refused")
        let foreign = files.path("foreign.sqlite")
        let queue = try SQLiteBudgetLedger.openQueue(path: foreign, busyTimeout: 1)
        try queue.write { db in try db.execute(sql: "CREATE TABLE t (x INTEGER)") }
        expectRefused(foreign, mentioning: "not a dpflow ledger")
        try FileManager.default.createDirectory(atPath: files.path("folder.sqlite"), withIntermediateDirectories: true)
        expectRefused(files.path("folder.sqlite"), mentioning: "folder")
        // The original is untouched and still opens.
        #expect(try SQLiteBudgetLedger(path: good).budget(dataset: "d").reservedEpsilon > 0.19)
    }

    @Test("an unreadable ledger is refused (permission bits; skipped as root, who reads everything)")
    func unreadable() throws {
        guard getuid() != 0 else { return }
        let path = files.path("locked.sqlite")
        try SQLiteBudgetLedger.create(path: path)
        #expect(chmod(path, 0) == 0)
        defer { chmod(path, 0o600) }
        expectRefused(path, mentioning: "not readable")
    }

    @Test("a ledger of an older dpflow is refused until adopted; adopting keeps its books")
    func adopt() throws {
        let path = files.path("old.sqlite")
        let queue = try SQLiteBudgetLedger.openQueue(path: path, busyTimeout: 1)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE datasets (id TEXT PRIMARY KEY NOT NULL, granted_epsilon_units INTEGER NOT NULL,
                  granted_delta_units INTEGER NOT NULL, updated_at TEXT NOT NULL);
                CREATE TABLE spends (id INTEGER PRIMARY KEY AUTOINCREMENT, dataset TEXT NOT NULL, job TEXT NOT NULL,
                  mechanism TEXT NOT NULL, epsilon_units INTEGER NOT NULL, delta_units INTEGER NOT NULL, epsilon REAL NOT NULL,
                  delta REAL NOT NULL, status TEXT NOT NULL, reserved_at TEXT NOT NULL, committed_at TEXT);
                INSERT INTO datasets VALUES ('old', 2000000000000, 0, 'x');
                INSERT INTO spends (dataset, job, mechanism, epsilon_units, delta_units, epsilon, delta, status, reserved_at)
                  VALUES ('old', 'j', 'm', 500000000000, 0, 0.5, 0, 'committed', 'x');
                """)
        }
        try queue.close()
        expectRefused(path, mentioning: "--adopt")
        #expect(throws: LedgerError.self) { try SQLiteBudgetLedger.create(path: path) }  // never overwrites
        let adopted = try SQLiteBudgetLedger.create(path: path, adopt: true)
        let b = try adopted.budget(dataset: "old")
        #expect(b.grantedEpsilon == 2 && b.committedEpsilon == 0.5)
        #expect(throws: LedgerError.self) { try SQLiteBudgetLedger.create(path: path, adopt: true) }
    }

    @Test("init never overwrites a ledger; identity and secret cannot be changed or deleted; datasets are never deleted")
    func createIsExplicitAndFixed() throws {
        let path = files.path("l.sqlite")
        let ledger = try SQLiteBudgetLedger.create(path: path)
        try ledger.grant(dataset: "d", epsilon: 1, delta: 0)
        #expect(throws: LedgerError.self) { try SQLiteBudgetLedger.create(path: path) }
        #expect(try SQLiteBudgetLedger(path: path).identity == ledger.identity)
        #expect(try SQLiteBudgetLedger(path: path).budget(dataset: "d").grantedEpsilon == 1)
        #expect(throws: (any Error).self) { try ledger.queue.write { db in try db.execute(sql: "UPDATE ledger_meta SET value = 'x'") } }
        #expect(throws: (any Error).self) { try ledger.queue.write { db in try db.execute(sql: "DELETE FROM ledger_meta") } }
        #expect(throws: (any Error).self) { try ledger.queue.write { db in try db.execute(sql: "DELETE FROM datasets") } }
        // Two ledgers never share a secret.
        let other = try SQLiteBudgetLedger.create(path: files.path("other.sqlite"))
        #expect(other.identity != ledger.identity)
    }

    // MARK: rounding (class 4)

    @Test("one rounding rule: a grant of (ε, δ) pays exactly a charge of (ε, δ), for δ 1e-6 and 1e-7 and several ε")
    func grantPaysItsOwnAmount() throws {
        #expect(BudgetAmount.deltaUnitsGranted(1e-6) == 1_000_000_000_000)
        #expect(BudgetAmount.deltaUnitsCharged(1e-6) == 1_000_000_000_000)
        #expect(BudgetAmount.deltaUnitsGranted(1e-7) == 100_000_000_000)
        #expect(BudgetAmount.deltaUnitsCharged(1e-7) == 100_000_000_000)
        #expect(BudgetAmount.epsilonUnitsCharged(0.1 + 0.2) == 300_000_000_001)  // 0.30000000000000004 rounds up
        #expect(BudgetAmount.epsilonUnitsGranted(0.1 + 0.2) == 300_000_000_000)
        #expect(BudgetAmount.epsilonUnitsCharged(1e6) == 1_000_000_000_000_000_000)
        #expect(BudgetAmount.deltaUnitsCharged(1e-20) == 1 && BudgetAmount.deltaUnitsGranted(1e-20) == 0)
        #expect(BudgetAmount.epsilonUnitsCharged(0) == 0 && BudgetAmount.epsilonUnitsCharged(.nan) == 0)
        // Extremes saturate, never trap.
        #expect(BudgetAmount.epsilonUnitsCharged(1e300) == .max && BudgetAmount.epsilonUnitsCharged(.infinity) == .max)
        #expect(BudgetAmount.deltaUnitsCharged(.leastNonzeroMagnitude) == 1 && BudgetAmount.deltaUnitsGranted(.leastNonzeroMagnitude) == 0)
        #expect(BudgetAmount.epsilonUnitsCharged(9.3e6) == .max && BudgetAmount.epsilonUnitsCharged(9.2e6) == 9_200_000_000_000_000_000)
        let ledger = try SQLiteBudgetLedger.create(path: files.path("r.sqlite"))
        var k = 0
        for delta in [1e-6, 1e-7, 1e-5, 3e-7, 1.5e-9] {
            for epsilon in [0.1, 0.3, 1.0, 2.5, 1e-3, 7.77, 1.1e-5] {
                k += 1
                let d = "d\(k)"
                try ledger.grant(dataset: d, epsilon: epsilon, delta: delta)
                let units = try #require(try ledger.units(dataset: d))
                #expect(BudgetAmount.fits(epsilon: epsilon, delta: delta, remainingEpsilonUnits: units.grantedEpsilon - units.chargedEpsilon,
                                          remainingDeltaUnits: units.grantedDelta - units.chargedDelta))
                _ = try ledger.reserve(dataset: d, job: "j", mechanism: "m", epsilon: epsilon, delta: delta)
                #expect(throws: LedgerError.self) { _ = try ledger.reserve(dataset: d, job: "j", mechanism: "m", epsilon: 1e-12, delta: 0) }
                #expect(throws: LedgerError.self) { _ = try ledger.reserve(dataset: d, job: "j", mechanism: "m", epsilon: 0, delta: 1e-18) }
            }
        }
    }

    @Test("the refusal message says once that nothing was charged")
    func refusalMessage() throws {
        let ledger = try SQLiteBudgetLedger.create(path: files.path("m.sqlite"))
        try ledger.grant(dataset: "d", epsilon: 1, delta: 1e-7)
        do {
            _ = try ledger.reserve(dataset: "d", job: "j", mechanism: "m", epsilon: 1, delta: 2e-7)
            Issue.record("accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains("nothing was charged"))
            #expect(!text.contains(".."))
        }
    }

    // MARK: dataset ids and data files (issue 11 item 4, issue 12 class 2)

    @Test("the keyed dataset id and the fingerprints are not a plain SHA-256 of the data and differ between ledgers")
    func keyedIDs() throws {
        let csv = files.write("d.csv", "x\n1\n2\n")
        let a = try SQLiteBudgetLedger.create(path: files.path("a.sqlite")), b = try SQLiteBudgetLedger.create(path: files.path("b.sqlite"))
        let fa = try a.fingerprint(file: csv), fb = try b.fingerprint(file: csv)
        let plain = "aea284871ddeeebac4b57b7a8ee7dad070886e690408ce2409306b9b6487beb1"  // printf 'x\n1\n2\n' | sha256sum
        for value in [fa.datasetID, fa.content, fa.path] { #expect(!value.contains(plain.prefix(16))) }
        #expect(fa.datasetID.hasPrefix("keyed:") && fa.datasetID.count == 38)
        #expect(fa.datasetID != fb.datasetID && fa.content != fb.content)
        #expect(try a.fingerprint(file: csv) == fa)  // stable within one ledger
        let csv2 = files.write("e.csv", "x\n1\n3\n")
        #expect(try a.fingerprint(file: csv2).datasetID != fa.datasetID)
    }

    @Test("renaming the dataset, moving or appending to the file never yields a fresh grant; the operator can bind explicitly")
    func bindingRule() throws {
        let ledger = try SQLiteBudgetLedger.create(path: files.path("bind.sqlite"))
        let csv = files.write("data.csv", "x\n1\n2\n")
        try ledger.bind(dataset: "patients", file: ledger.fingerprint(file: csv), displayPath: csv)
        try ledger.bind(dataset: "patients", file: ledger.fingerprint(file: csv), displayPath: csv)  // idempotent
        // Same file under a new name.
        #expect(throws: LedgerError.self) { try ledger.bind(dataset: "patients-v2", file: ledger.fingerprint(file: csv), displayPath: csv) }
        // Moved (same bytes, other path) under a new name.
        let moved = files.write("moved.csv", "x\n1\n2\n")
        #expect(throws: LedgerError.self) { try ledger.bind(dataset: "other", file: ledger.fingerprint(file: moved), displayPath: moved) }
        // One row appended at the same path under a new name.
        files.write("data.csv", "x\n1\n2\n3\n")
        do {
            try ledger.bind(dataset: "grown", file: ledger.fingerprint(file: csv), displayPath: csv)
            Issue.record("an appended file got a new data set")
        } catch let error as LedgerError {
            guard case .fileBoundElsewhere(_, let d, let owners) = error else { throw error }
            #expect(d == "grown" && owners == ["patients"])
            #expect(error.description.contains("privacy.dataset: patients") && error.description.contains("dpflow ledger bind"))
        }
        // Under its own name, the grown file is simply bound (it shares that budget).
        try ledger.bind(dataset: "patients", file: ledger.fingerprint(file: csv), displayPath: csv)
        #expect(try ledger.datasets(boundTo: ledger.fingerprint(file: moved)) == ["patients"])
        // Nothing was recorded for the refused names; an explicit operator binding is allowed.
        #expect(!(try ledger.hasGrant(dataset: "grown")))
        try ledger.bind(dataset: "other", file: ledger.fingerprint(file: moved), displayPath: moved, explicit: true)
        #expect(try ledger.datasets(boundTo: ledger.fingerprint(file: moved)) == ["other", "patients"])
        // A genuinely new file under a new name is fine.
        let fresh = files.write("fresh.csv", "y\n5\n")
        try ledger.bind(dataset: "fresh", file: ledger.fingerprint(file: fresh), displayPath: fresh)
    }

    @Test("the default location is per user (XDG), not relative to the working directory; DPFLOW_LEDGER and --ledger override it")
    func location() {
        #expect(LedgerLocation.defaultPath(environment: ["XDG_DATA_HOME": "/x/data", "HOME": "/home/u"]) == "/x/data/dpflow/ledger.sqlite")
        #expect(LedgerLocation.defaultPath(environment: ["XDG_DATA_HOME": "relative", "HOME": "/home/u"]) == "/home/u/.local/share/dpflow/ledger.sqlite")
        #expect(LedgerLocation.defaultPath(environment: ["HOME": "/home/u"]) == "/home/u/.local/share/dpflow/ledger.sqlite")
        #expect(LedgerLocation.resolve(option: nil, environment: ["DPFLOW_LEDGER": "/l.sqlite", "HOME": "/h"]) == .init(path: "/l.sqlite", isExplicit: true))
        #expect(LedgerLocation.resolve(option: "/o.sqlite", environment: ["DPFLOW_LEDGER": "/l.sqlite"]) == .init(path: "/o.sqlite", isExplicit: true))
        let d = LedgerLocation.resolve(option: nil, environment: ["HOME": "/h"])
        #expect(!d.isExplicit && d.path.hasPrefix("/"))
        #expect(!LedgerLocation(path: files.path("x.sqlite"), isExplicit: true).mayCreateOnFirstUse)
        #expect(LedgerLocation(path: files.path("new/dpflow/ledger.sqlite"), isExplicit: false).mayCreateOnFirstUse)
        // Once the folder exists (the ledger was used, then deleted), no more implicit creation.
        #expect(!LedgerLocation(path: files.path("ledger.sqlite"), isExplicit: false).mayCreateOnFirstUse)
    }
}
