import Foundation

extension LedgerLocation {
    /// Whether this location names a PostgreSQL ledger (`postgres://…`) rather than a SQLite file.
    public var isPostgres: Bool { PostgresLedgerURL.isPostgres(path) }

    /// Opens the existing ledger here: PostgreSQL for a `postgres://` URL, else the SQLite file.
    /// - Throws: `LedgerError.ledger` when it is missing, damaged, unreachable or not a dpflow ledger.
    public func open() throws -> any BudgetLedger {
        if isPostgres { return try PostgresBudgetLedger(url: PostgresLedgerURL(path)) }
        return try SQLiteBudgetLedger(path: path)
    }

    /// Creates a new ledger here (`dpflow ledger init`): the schema in the PostgreSQL database, or the SQLite
    /// file; `adopt` (SQLite only) turns a ledger of an older dpflow into a current one.
    @discardableResult
    public func create(adopt: Bool = false) throws -> any BudgetLedger {
        if isPostgres {
            if adopt { throw LedgerError.ledger(path: PostgresLedgerURL.redact(path), reason: "--adopt applies to SQLite ledgers only") }
            return try PostgresBudgetLedger.create(url: PostgresLedgerURL(path))
        }
        return try SQLiteBudgetLedger.create(path: path, adopt: adopt)
    }

    /// The location as messages show it (a URL without its password).
    public var displayName: String { isPostgres ? PostgresLedgerURL.redact(path) : path }
}

extension LedgerLocation {
    /// Whether a ledger may be present at `path` without opening it: a SQLite file exists there, or `path` is a
    /// PostgreSQL URL (whose database is only known by connecting; opening it fails closed when it holds none).
    public static func mayBePresent(_ path: String) -> Bool {
        PostgresLedgerURL.isPostgres(path) || FileManager.default.fileExists(atPath: path)
    }
}
