import Foundation
import Testing
@testable import BudgetLedgers

@Suite("Budget ledger (in process)")
struct BudgetLedgerTests {
    let files = TestFiles()

    @Test func reserveCommitAndRefuseOverspend() throws {
        let ledger = try SQLiteBudgetLedger.create(path: files.path("l.sqlite"))
        try ledger.grant(dataset: "d", epsilon: 1.0, delta: 1e-5)
        let r1 = try ledger.reserve(dataset: "d", job: "train", mechanism: "dp-sgd", epsilon: 0.6, delta: 5e-6)
        #expect(try ledger.budget(dataset: "d").reservedEpsilon == 0.6)
        do {
            _ = try ledger.reserve(dataset: "d", job: "more", mechanism: "laplace", epsilon: 0.5, delta: 0)
            Issue.record("over-grant reservation accepted")
        } catch let LedgerError.budgetExceeded(dataset, re, _, le, _) {
            #expect(dataset == "d" && re == 0.5)
            #expect(abs(le - 0.4) < 1e-9)
        }
        try ledger.commit(r1)
        let b = try ledger.budget(dataset: "d")
        #expect(b.committedEpsilon == 0.6 && b.reservedEpsilon == 0)
        #expect(abs(b.remainingEpsilon - 0.4) < 1e-9)
        #expect(throws: LedgerError.reservationNotFound(id: r1.id)) { try ledger.commit(r1) }
        // δ is a separate limit.
        #expect(throws: LedgerError.self) {
            try ledger.reserve(dataset: "d", job: "x", mechanism: "gauss", epsilon: 0.1, delta: 6e-6)
        }
        let spends = try ledger.spends(dataset: "d")
        #expect(spends.count == 1 && spends[0].status == .committed && spends[0].job == "train")
    }

    @Test func exactFixedPointSumsFitTheGrant() throws {
        let ledger = try SQLiteBudgetLedger.create(path: files.path("fp.sqlite"))
        try ledger.grant(dataset: "d", epsilon: 0.3, delta: 3e-6)
        for _ in 0..<3 { _ = try ledger.reserve(dataset: "d", job: "j", mechanism: "m", epsilon: 0.1, delta: 1e-6) }
        #expect(throws: LedgerError.self) { try ledger.reserve(dataset: "d", job: "j", mechanism: "m", epsilon: 1e-12, delta: 0) }
    }

    @Test func noGrantAndBadAmountsAreRefused() throws {
        let ledger = try SQLiteBudgetLedger.create(path: files.path("n.sqlite"))
        #expect(throws: LedgerError.noGrant(dataset: "nope")) {
            try ledger.reserve(dataset: "nope", job: "j", mechanism: "m", epsilon: 0.1, delta: 0)
        }
        #expect(throws: LedgerError.self) { try ledger.grant(dataset: "d", epsilon: -1, delta: 0) }
        #expect(throws: LedgerError.self) { try ledger.grant(dataset: "d", epsilon: 1, delta: 1) }
        #expect(throws: LedgerError.self) { try ledger.grant(dataset: "d", epsilon: .nan, delta: 0) }
    }

    @Test func grantCannotDropBelowWhatIsCharged() throws {
        let ledger = try SQLiteBudgetLedger.create(path: files.path("g.sqlite"))
        try ledger.grant(dataset: "d", epsilon: 2, delta: 1e-5)
        _ = try ledger.reserve(dataset: "d", job: "j", mechanism: "m", epsilon: 1.5, delta: 0)
        #expect(throws: LedgerError.self) { try ledger.grant(dataset: "d", epsilon: 1, delta: 1e-5) }
        try ledger.grant(dataset: "d", epsilon: 3, delta: 1e-5)
        #expect(try ledger.budget(dataset: "d").grantedEpsilon == 3)
    }

    @Test func reservationsSurviveReopeningAndCannotBeDeleted() throws {
        let path = files.path("p.sqlite")
        do {
            let ledger = try SQLiteBudgetLedger.create(path: path)
            try ledger.grant(dataset: "d", epsilon: 1, delta: 0)
            _ = try ledger.reserve(dataset: "d", job: "crashed", mechanism: "m", epsilon: 0.7, delta: 0)
        }
        let reopened = try SQLiteBudgetLedger(path: path)
        #expect(try reopened.budget(dataset: "d").reservedEpsilon == 0.7)
        // Even a direct SQL delete or amount change is refused by the triggers.
        #expect(throws: (any Error).self) {
            try reopened.queue.write { db in try db.execute(sql: "DELETE FROM spends") }
        }
        #expect(throws: (any Error).self) {
            try reopened.queue.write { db in try db.execute(sql: "UPDATE spends SET epsilon_units = 0") }
        }
        #expect(try reopened.budget(dataset: "d").reservedEpsilon == 0.7)
    }

    @Test func concurrentThreadsNeverOverspend() async throws {
        let path = files.path("t.sqlite")
        try SQLiteBudgetLedger.create(path: path).grant(dataset: "d", epsilon: 1.0, delta: 0)
        let successes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    // Separate connections, like separate processes.
                    guard let ledger = try? SQLiteBudgetLedger(path: path) else { return false }
                    return (try? ledger.reserve(dataset: "d", job: "j", mechanism: "m", epsilon: 0.25, delta: 0)) != nil
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(successes == 4)
        #expect(try SQLiteBudgetLedger(path: path).budget(dataset: "d").reservedEpsilon == 1.0)
    }
}
