import Crypto
import Foundation
import GRDB

/// The privacy budget ledger: per dataset, a granted total (ε, δ) and every spend against it,
/// in a SQLite file shared safely by concurrent processes.
///
/// Spending is **reserve → commit**. `reserve` checks, in one `BEGIN IMMEDIATE` transaction,
/// that `committed + reserved + request ≤ granted` for ε and for δ, and records the reservation;
/// otherwise it throws `budgetExceeded` and records nothing. The job then does its work and calls
/// `commit`. A job that crashes after reserving leaves its reservation charged: there is **no
/// refund, ever** (SQLite triggers refuse deleting a spend or changing its amounts).
///
/// Composition across spends is basic composition: the ε's add and the δ's add. It is valid for
/// any mix of mechanisms and loose compared with RDP/PLD composition of many Gaussian releases
/// (tighter composition may come later).
///
/// Amounts are kept as exact fixed-point integers (see `BudgetAmount`): charges round up, grants
/// round down. The invariant `committed + reserved ≤ granted` is checked inside every write
/// transaction (a violation rolls it back) and asserted again in debug builds.
///
/// Concurrency: every write is an immediate transaction (takes SQLite's write lock up front) and
/// waits up to `busyTimeout` seconds for another process holding it.
public final class BudgetLedger: Sendable {
    /// `./dpflow-ledger.sqlite`, relative to the working directory.
    public static let defaultPath = "./dpflow-ledger.sqlite"

    /// The ledger file.
    public let path: String
    let queue: DatabaseQueue

    /// Opens (or creates) the ledger at `path`.
    /// - Parameters:
    ///   - path: the SQLite file; created with its tables if absent.
    ///   - busyTimeout: seconds to wait for another process's write lock.
    /// - Throws: `DataFrameError.ledger` when the file cannot be opened or is not a ledger.
    public init(path: String = BudgetLedger.defaultPath, busyTimeout: Double = 30) throws {
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.label = "dpflow-ledger"
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            try queue.inTransaction(.immediate) { db in
                try db.execute(sql: Self.schemaSQL)
                return .commit
            }
        } catch let e as DataFrameError {
            throw e
        } catch {
            throw DataFrameError.ledger(path: path, reason: Self.describe(error))
        }
    }

    static let schemaSQL = """
        CREATE TABLE IF NOT EXISTS datasets (
            id TEXT PRIMARY KEY NOT NULL,
            granted_epsilon_units INTEGER NOT NULL CHECK (granted_epsilon_units >= 0),
            granted_delta_units INTEGER NOT NULL CHECK (granted_delta_units >= 0),
            updated_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS spends (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            dataset TEXT NOT NULL REFERENCES datasets(id),
            job TEXT NOT NULL,
            mechanism TEXT NOT NULL,
            epsilon_units INTEGER NOT NULL CHECK (epsilon_units >= 0),
            delta_units INTEGER NOT NULL CHECK (delta_units >= 0),
            epsilon REAL NOT NULL,
            delta REAL NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('reserved', 'committed')),
            reserved_at TEXT NOT NULL,
            committed_at TEXT
        );
        CREATE INDEX IF NOT EXISTS spends_by_dataset ON spends(dataset);
        CREATE TRIGGER IF NOT EXISTS spends_never_deleted BEFORE DELETE ON spends
        BEGIN SELECT RAISE(ABORT, 'privacy spends are never deleted (no refunds)'); END;
        CREATE TRIGGER IF NOT EXISTS spends_amounts_fixed BEFORE UPDATE ON spends
        WHEN NEW.epsilon_units <> OLD.epsilon_units OR NEW.delta_units <> OLD.delta_units
          OR NEW.dataset <> OLD.dataset OR (OLD.status = 'committed' AND NEW.status <> 'committed')
        BEGIN SELECT RAISE(ABORT, 'privacy spends cannot be reduced or un-committed (no refunds)'); END;
        """

    static func now() -> String {
        ISO8601DateFormatter().string(from: Date())
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? DatabaseError { return "SQLite error \(e.resultCode.rawValue): \(e.message ?? "unknown")" }
        return String(describing: error)
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        var result: T?
        do {
            try queue.inTransaction(.immediate) { db in
                result = try body(db)
                try Self.checkInvariants(db)
                return .commit
            }
        } catch let e as DataFrameError {
            throw e
        } catch {
            throw DataFrameError.ledger(path: path, reason: Self.describe(error))
        }
        return result!
    }

    /// `committed + reserved ≤ granted` for every dataset; throws (rolling back) otherwise.
    static func checkInvariants(_ db: Database) throws {
        let rows = try Row.fetchAll(db, sql: """
            SELECT d.id, d.granted_epsilon_units AS ge, d.granted_delta_units AS gd,
                   COALESCE(SUM(s.epsilon_units), 0) AS se, COALESCE(SUM(s.delta_units), 0) AS sd
            FROM datasets d LEFT JOIN spends s ON s.dataset = d.id GROUP BY d.id
            """)
        for row in rows {
            let ok = (row["se"] as Int64) <= (row["ge"] as Int64) && (row["sd"] as Int64) <= (row["gd"] as Int64)
            assert(ok, "ledger invariant violated: spent + reserved > granted")
            if !ok {
                throw DataFrameError.ledger(path: db.configuration.label ?? "ledger",
                                            reason: "invariant violated (spent + reserved > granted); change rolled back")
            }
        }
    }

    // MARK: grant

    /// Sets the total budget granted for `dataset` (creating the dataset if needed).
    ///
    /// A grant may be raised, or lowered down to what is already charged, never below.
    /// - Parameters:
    ///   - epsilon: total ε the owner allows for all jobs on this dataset together.
    ///   - delta: total δ.
    /// - Throws: `invalidBudget` for bad amounts or a grant below what is already charged.
    public func grant(dataset: String, epsilon: Double, delta: Double) throws {
        try BudgetAmount.validate(epsilon: epsilon, delta: delta)
        guard !dataset.isEmpty else { throw DataFrameError.invalidBudget("the dataset id is empty") }
        let ge = BudgetAmount.epsilonUnitsGranted(epsilon), gd = BudgetAmount.deltaUnitsGranted(delta)
        try write { db in
            let charged = try Self.charged(db, dataset)
            if charged.epsilon > ge || charged.delta > gd {
                throw DataFrameError.invalidBudget(
                    "dataset '\(dataset)': a grant of ε=\(epsilon), δ=\(delta) is below what is already charged (ε=\(BudgetAmount.epsilon(charged.epsilon)), δ=\(BudgetAmount.delta(charged.delta))); budget is never refunded")
            }
            try db.execute(sql: """
                INSERT INTO datasets (id, granted_epsilon_units, granted_delta_units, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET granted_epsilon_units = excluded.granted_epsilon_units,
                  granted_delta_units = excluded.granted_delta_units, updated_at = excluded.updated_at
                """, arguments: [dataset, ge, gd, Self.now()])
        }
    }

    static func charged(_ db: Database, _ dataset: String) throws -> (epsilon: Int64, delta: Int64) {
        let row = try Row.fetchOne(db, sql: """
            SELECT COALESCE(SUM(epsilon_units), 0) AS e, COALESCE(SUM(delta_units), 0) AS d FROM spends WHERE dataset = ?
            """, arguments: [dataset])!
        return (row["e"], row["d"])
    }

    // MARK: reserve / commit

    /// Reserves (ε, δ) for a job **before** it touches the data.
    ///
    /// Atomic across processes: the check `committed + reserved + request ≤ granted` and the
    /// insertion happen in one immediate transaction.
    /// - Parameters:
    ///   - dataset: the dataset id (declared, or `sha256:` of the CSV).
    ///   - job: a name for the job (pipeline name, release name).
    ///   - mechanism: what is paid for (`dp-sgd rdp`, `laplace count`, …).
    /// - Returns: the reservation to pass to `commit`.
    /// - Throws: `noGrant`, `budgetExceeded` (nothing recorded), `invalidBudget`, `ledger`.
    public func reserve(dataset: String, job: String, mechanism: String, epsilon: Double, delta: Double) throws -> BudgetReservation {
        try BudgetAmount.validate(epsilon: epsilon, delta: delta)
        let re = BudgetAmount.epsilonUnitsCharged(epsilon), rd = BudgetAmount.deltaUnitsCharged(delta)
        let id: Int64 = try write { db in
            guard let grant = try Row.fetchOne(db, sql: "SELECT granted_epsilon_units AS e, granted_delta_units AS d FROM datasets WHERE id = ?",
                                               arguments: [dataset]) else {
                throw DataFrameError.noGrant(dataset: dataset)
            }
            let ge: Int64 = grant["e"], gd: Int64 = grant["d"]
            let charged = try Self.charged(db, dataset)
            if charged.epsilon + re > ge || charged.delta + rd > gd {
                throw DataFrameError.budgetExceeded(
                    dataset: dataset, requestedEpsilon: epsilon, requestedDelta: delta,
                    remainingEpsilon: BudgetAmount.epsilon(ge - charged.epsilon),
                    remainingDelta: BudgetAmount.delta(gd - charged.delta))
            }
            try db.execute(sql: """
                INSERT INTO spends (dataset, job, mechanism, epsilon_units, delta_units, epsilon, delta, status, reserved_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'reserved', ?)
                """, arguments: [dataset, job, mechanism, re, rd, epsilon, delta, Self.now()])
            return db.lastInsertedRowID
        }
        return BudgetReservation(id: id, dataset: dataset, job: job, mechanism: mechanism, epsilon: epsilon, delta: delta)
    }

    /// Marks a reservation as spent. The amount stays charged either way; committing records
    /// that the job finished.
    /// - Throws: `reservationNotFound` if it does not exist or is already committed.
    public func commit(_ reservation: BudgetReservation) throws {
        try commit(id: reservation.id)
    }

    /// Commits the reservation with this id (for the CLI).
    public func commit(id: Int64) throws {
        try write { db in
            try db.execute(sql: "UPDATE spends SET status = 'committed', committed_at = ? WHERE id = ? AND status = 'reserved'",
                           arguments: [Self.now(), id])
            if db.changesCount != 1 { throw DataFrameError.reservationNotFound(id: id) }
        }
    }

    // MARK: reading

    /// The books of one dataset.
    /// - Throws: `noGrant` if nothing was granted for it.
    public func budget(dataset: String) throws -> DatasetBudget {
        guard let b = try budgets().first(where: { $0.dataset == dataset }) else { throw DataFrameError.noGrant(dataset: dataset) }
        return b
    }

    /// The books of every dataset, by id.
    public func budgets() throws -> [DatasetBudget] {
        do {
            return try queue.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT d.id, d.granted_epsilon_units AS ge, d.granted_delta_units AS gd,
                      COALESCE(SUM(CASE WHEN s.status = 'committed' THEN s.epsilon_units END), 0) AS ce,
                      COALESCE(SUM(CASE WHEN s.status = 'committed' THEN s.delta_units END), 0) AS cd,
                      COALESCE(SUM(CASE WHEN s.status = 'reserved' THEN s.epsilon_units END), 0) AS re,
                      COALESCE(SUM(CASE WHEN s.status = 'reserved' THEN s.delta_units END), 0) AS rd
                    FROM datasets d LEFT JOIN spends s ON s.dataset = d.id GROUP BY d.id ORDER BY d.id
                    """).map { r in
                    DatasetBudget(dataset: r["id"],
                                  grantedEpsilon: BudgetAmount.epsilon(r["ge"]), grantedDelta: BudgetAmount.delta(r["gd"]),
                                  committedEpsilon: BudgetAmount.epsilon(r["ce"]), committedDelta: BudgetAmount.delta(r["cd"]),
                                  reservedEpsilon: BudgetAmount.epsilon(r["re"]), reservedDelta: BudgetAmount.delta(r["rd"]))
                }
            }
        } catch {
            throw DataFrameError.ledger(path: path, reason: Self.describe(error))
        }
    }

    /// Every spend, oldest first (optionally of one dataset).
    public func spends(dataset: String? = nil) throws -> [BudgetSpend] {
        do {
            return try queue.read { db in
                let sql = "SELECT * FROM spends" + (dataset == nil ? "" : " WHERE dataset = ?") + " ORDER BY id"
                return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(dataset.map { [$0] } ?? [])).map { r in
                    BudgetSpend(id: r["id"], dataset: r["dataset"], job: r["job"], mechanism: r["mechanism"],
                                epsilon: r["epsilon"], delta: r["delta"],
                                status: SpendStatus(rawValue: r["status"]) ?? .reserved,
                                reservedAt: r["reserved_at"], committedAt: r["committed_at"])
                }
            }
        } catch {
            throw DataFrameError.ledger(path: path, reason: Self.describe(error))
        }
    }

    /// The dataset id of a CSV file when none is declared: `sha256:` and the hex SHA-256 of its
    /// bytes (the same id `PrivateDataFrame.load` computes).
    public static func datasetID(forCSVAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DataFrameError.fileUnreadable(file: path, reason: "cannot open")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return "sha256:" + hasher.finalize().map { b -> String in let s = String(b, radix: 16); return b < 16 ? "0" + s : s }.joined()
    }
}
