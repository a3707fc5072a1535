import Foundation
import GRDB
@testable import BudgetLedgers

/// The ledger implementations the shared suite runs against.
enum LedgerKind: String, CaseIterable, Sendable {
    case sqlite
    case postgres

    /// The kinds to test: both, or SQLite alone when the PostgreSQL tests are explicitly opted out.
    static var tested: [LedgerKind] { PostgresTestServer.isOptedOut ? [.sqlite] : allCases }

    /// A fresh, empty ledger's location (created by `dpflow ledger init`'s code path).
    func freshLocation(_ files: TestFiles, _ name: String = "ledger") throws -> String {
        switch self {
        case .sqlite: return files.path(name + ".sqlite")
        case .postgres: return try PostgresTestServer.start().makeDatabase()
        }
    }

    /// Creates a fresh ledger and returns it with its location.
    func make(_ files: TestFiles, _ name: String = "ledger") throws -> (ledger: any BudgetLedger, location: String) {
        let location = try freshLocation(files, name)
        let ledger = try LedgerLocation(path: location, isExplicit: true).create()
        return (ledger, location)
    }

    /// Opens the existing ledger at `location` (a new connection).
    func open(_ location: String) throws -> any BudgetLedger {
        try LedgerLocation(path: location, isExplicit: true).open()
    }

    /// Runs raw SQL on the ledger as its owner, bypassing dpflow's code (to show the database refuses it).
    func rawExecute(_ ledger: any BudgetLedger, _ sql: String) throws {
        switch ledger {
        case let l as SQLiteBudgetLedger:
            try l.queue.write { db in try db.execute(sql: sql) }
        case let l as PostgresBudgetLedger:
            try l.transaction { conn in _ = try conn.simpleQuery(sql).wait() }
        default:
            throw LedgerError.ledger(path: ledger.location, reason: "unknown ledger type")
        }
    }
}

