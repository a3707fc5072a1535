import Foundation
import GRDB

/// The embedded budget ledger (the default): a `BudgetLedger` in a SQLite file shared safely by concurrent
/// processes on one machine.
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
public final class SQLiteBudgetLedger: BudgetLedger {
    /// The per-user default ledger (`$XDG_DATA_HOME/dpflow/ledger.sqlite`, else
    /// `~/.local/share/dpflow/ledger.sqlite`); see `LedgerLocation`.
    public static var defaultPath: String { LedgerLocation.defaultPath() }

    /// The format tag kept in the ledger's `ledger_meta` table.
    static let format = "dpflow-ledger-2"

    /// The ledger file.
    public let path: String
    public var location: String { path }
    /// A random id of this ledger, made by `create` (shown by `dpflow ledger show`).
    public let identity: String
    let queue: DatabaseQueue
    /// Made by `create`, never shown: the key of the keyed dataset ids and file fingerprints.
    let secret: LedgerSecret

    /// Opens an **existing** ledger made by `create` (`dpflow ledger init`).
    ///
    /// Fails closed: a missing, empty (0-byte), truncated, corrupt or unreadable file, or a SQLite file that is
    /// not a dpflow ledger, is refused with `LedgerError.ledger` and left as it is — never re-initialised.
    /// - Parameters:
    ///   - path: the SQLite file.
    ///   - busyTimeout: seconds to wait for another process's write lock.
    public init(path: String, busyTimeout: Double = 30) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LedgerError.ledger(path: path, reason: "no ledger file here; create one with `dpflow ledger init --ledger \(path)` "
                                        + "(dpflow never creates a ledger implicitly at a path you name)")
        }
        guard !isDirectory.boolValue else { throw LedgerError.ledger(path: path, reason: "is a folder, not a ledger file") }
        guard FileManager.default.isReadableFile(atPath: path), FileManager.default.isWritableFile(atPath: path) else {
            throw LedgerError.ledger(path: path, reason: "the ledger file is not readable and writable by this user; refused")
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        guard size > 0 else {
            throw LedgerError.ledger(path: path, reason: "the ledger file is empty (0 bytes): it was truncated or never initialised; "
                                        + "refused (an empty ledger is never re-initialised: its grants and spends would be forgotten)")
        }
        let queue = try Self.openQueue(path: path, busyTimeout: busyTimeout)
        do {
            let meta: [String: String] = try queue.read { db in
                let check = try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "no answer"
                guard check == "ok" else {
                    throw LedgerError.ledger(path: path, reason: "the ledger file is damaged (SQLite integrity check: \(check)); refused")
                }
                guard try db.tableExists("ledger_meta") else {
                    let old = try db.tableExists("spends")
                    throw LedgerError.ledger(path: path, reason: old
                        ? "a ledger of an older dpflow (no identity and secret); adopt it with `dpflow ledger init --adopt --ledger \(path)`"
                        : "not a dpflow ledger (no ledger_meta table); refused")
                }
                return Dictionary(try Row.fetchAll(db, sql: "SELECT key, value FROM ledger_meta").map { ($0["key"], $0["value"]) },
                                  uniquingKeysWith: { a, _ in a })
            }
            guard meta["format"] == Self.format, let identity = meta["identity"], let secretHex = meta["secret"],
                  let secret = LedgerSecret(hex: secretHex) else {
                throw LedgerError.ledger(path: path, reason: "the ledger's identity or secret is missing or damaged; refused")
            }
            // Older ledgers get the invariant triggers too (idempotent).
            try queue.write { db in try db.execute(sql: Self.invariantTriggersSQL) }
            self.queue = queue
            self.identity = identity
            self.secret = secret
        } catch let e as LedgerError {
            throw e
        } catch {
            throw LedgerError.ledger(path: path, reason: "cannot read the ledger (\(Self.describe(error))): truncated or corrupt; refused")
        }
    }

    /// Creates a new, empty ledger at `path` with a fresh identity and secret (`dpflow ledger init`), creating
    /// its folder if needed. Refuses when a file exists there (nothing is overwritten), except that `adopt`
    /// turns a ledger of an older dpflow (tables but no identity) into a current one, keeping its books.
    /// - Returns: the opened ledger.
    @discardableResult
    public static func create(path: String, adopt: Bool = false, busyTimeout: Double = 30) throws -> SQLiteBudgetLedger {
        let exists = FileManager.default.fileExists(atPath: path)
        if exists && !adopt {
            throw LedgerError.ledger(path: path, reason: "a file exists here already; `ledger init` never overwrites a ledger")
        }
        if !exists {
            if adopt { throw LedgerError.ledger(path: path, reason: "--adopt: no ledger file here to adopt") }
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                    throw LedgerError.ledger(path: path, reason: "cannot create the folder '\(folder)': \(error.localizedDescription)")
                }
            }
        }
        let queue = try openQueue(path: path, busyTimeout: busyTimeout)
        let secret = LedgerSecret.random()
        let identity = UUID().uuidString.lowercased()
        do {
            try queue.inTransaction(.immediate) { db in
                if try db.tableExists("ledger_meta") {
                    throw LedgerError.ledger(path: path, reason: "already a current dpflow ledger; nothing to adopt")
                }
                if adopt, !(try db.tableExists("spends")) {
                    throw LedgerError.ledger(path: path, reason: "--adopt: not a ledger of an older dpflow; refused")
                }
                try db.execute(sql: schemaSQL)
                for (key, value) in [("format", format), ("identity", identity), ("secret", secret.hex), ("created_at", now())] {
                    try db.execute(sql: "INSERT INTO ledger_meta (key, value) VALUES (?, ?)", arguments: [key, value])
                }
                return .commit
            }
        } catch let e as LedgerError {
            throw e
        } catch {
            throw LedgerError.ledger(path: path, reason: "cannot initialise the ledger: \(describe(error))")
        }
        return try SQLiteBudgetLedger(path: path, busyTimeout: busyTimeout)
    }

    static func openQueue(path: String, busyTimeout: Double) throws -> DatabaseQueue {
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.label = "dpflow-ledger"
        do {
            return try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw LedgerError.ledger(path: path, reason: "cannot open the ledger (\(describe(error))): truncated, damaged or not a ledger; refused")
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
        CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
        CREATE TRIGGER IF NOT EXISTS ledger_meta_fixed BEFORE UPDATE ON ledger_meta
        BEGIN SELECT RAISE(ABORT, 'the ledger identity is fixed'); END;
        CREATE TRIGGER IF NOT EXISTS ledger_meta_kept BEFORE DELETE ON ledger_meta
        BEGIN SELECT RAISE(ABORT, 'the ledger identity is fixed'); END;
        CREATE TABLE IF NOT EXISTS data_files (
            dataset TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('path', 'content')),
            fingerprint TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            PRIMARY KEY (dataset, kind, fingerprint)
        );
        CREATE INDEX IF NOT EXISTS data_files_by_fingerprint ON data_files(fingerprint);
        CREATE TRIGGER IF NOT EXISTS data_files_kept BEFORE DELETE ON data_files
        BEGIN SELECT RAISE(ABORT, 'data file bindings are never deleted'); END;
        CREATE TRIGGER IF NOT EXISTS datasets_never_deleted BEFORE DELETE ON datasets
        BEGIN SELECT RAISE(ABORT, 'datasets are never deleted from the ledger'); END;
        CREATE TRIGGER IF NOT EXISTS spends_never_deleted BEFORE DELETE ON spends
        BEGIN SELECT RAISE(ABORT, 'privacy spends are never deleted (no refunds)'); END;
        CREATE TRIGGER IF NOT EXISTS spends_amounts_fixed BEFORE UPDATE ON spends
        WHEN NEW.epsilon_units <> OLD.epsilon_units OR NEW.delta_units <> OLD.delta_units
          OR NEW.dataset <> OLD.dataset OR (OLD.status = 'committed' AND NEW.status <> 'committed')
        BEGIN SELECT RAISE(ABORT, 'privacy spends cannot be reduced or un-committed (no refunds)'); END;
        """ + invariantTriggersSQL

    /// `committed + reserved ≤ granted`, enforced by SQLite itself for any writer (added to older ledgers when
    /// they are opened): a spend that would overdraw its data set, and a grant lowered below what is charged,
    /// are aborted.
    static let invariantTriggersSQL = """
        CREATE TRIGGER IF NOT EXISTS spends_within_grant BEFORE INSERT ON spends
        WHEN NEW.epsilon_units + (SELECT COALESCE(SUM(epsilon_units), 0) FROM spends WHERE dataset = NEW.dataset)
               > (SELECT granted_epsilon_units FROM datasets WHERE id = NEW.dataset)
          OR NEW.delta_units + (SELECT COALESCE(SUM(delta_units), 0) FROM spends WHERE dataset = NEW.dataset)
               > (SELECT granted_delta_units FROM datasets WHERE id = NEW.dataset)
          OR NEW.status <> 'reserved'
        BEGIN SELECT RAISE(ABORT, 'a spend must fit the grant (spent + reserved <= granted) and start reserved'); END;
        CREATE TRIGGER IF NOT EXISTS grant_covers_charges BEFORE UPDATE ON datasets
        WHEN NEW.id <> OLD.id
          OR NEW.granted_epsilon_units < (SELECT COALESCE(SUM(epsilon_units), 0) FROM spends WHERE dataset = OLD.id)
          OR NEW.granted_delta_units < (SELECT COALESCE(SUM(delta_units), 0) FROM spends WHERE dataset = OLD.id)
        BEGIN SELECT RAISE(ABORT, 'a grant cannot drop below what is charged, and a data set cannot be renamed'); END;
        CREATE TRIGGER IF NOT EXISTS spends_fixed BEFORE UPDATE ON spends
        WHEN NEW.id <> OLD.id OR NEW.job <> OLD.job OR NEW.mechanism <> OLD.mechanism
          OR NEW.epsilon <> OLD.epsilon OR NEW.delta <> OLD.delta OR NEW.reserved_at <> OLD.reserved_at
        BEGIN SELECT RAISE(ABORT, 'a spend can only go from reserved to committed'); END;
        """

    static func now() -> String { ledgerTimestamp() }

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
        } catch let e as LedgerError {
            throw e
        } catch {
            throw LedgerError.ledger(path: path, reason: Self.describe(error))
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
                throw LedgerError.ledger(path: db.configuration.label ?? "ledger",
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
        guard !dataset.isEmpty else { throw LedgerError.invalidBudget("the dataset id is empty") }
        let ge = BudgetAmount.epsilonUnitsGranted(epsilon), gd = BudgetAmount.deltaUnitsGranted(delta)
        try write { db in
            let charged = try Self.charged(db, dataset)
            if charged.epsilon > ge || charged.delta > gd {
                throw LedgerError.invalidBudget(
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
    ///   - dataset: the dataset id (declared, or keyed: see `fingerprint`).
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
                throw LedgerError.noGrant(dataset: dataset)
            }
            let ge: Int64 = grant["e"], gd: Int64 = grant["d"]
            let charged = try Self.charged(db, dataset)
            if charged.epsilon + re > ge || charged.delta + rd > gd {
                throw LedgerError.budgetExceeded(
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

    /// Commits the reservation with this id (for the CLI).
    public func commit(id: Int64) throws {
        try write { db in
            try db.execute(sql: "UPDATE spends SET status = 'committed', committed_at = ? WHERE id = ? AND status = 'reserved'",
                           arguments: [Self.now(), id])
            if db.changesCount != 1 { throw LedgerError.reservationNotFound(id: id) }
        }
    }

    // MARK: reading

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
            throw LedgerError.ledger(path: path, reason: Self.describe(error))
        }
    }

    /// Every spend, oldest first (optionally of one dataset).
    public func spends(dataset: String?) throws -> [BudgetSpend] {
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
            throw LedgerError.ledger(path: path, reason: Self.describe(error))
        }
    }

    // MARK: data files

    public func fingerprint(file: String) throws -> DataFileFingerprint { try secret.fingerprint(file: file) }


    /// The data sets a file is already bound to (by its path or by its content).
    public func datasets(boundTo file: DataFileFingerprint) throws -> [String] {
        do {
            return try queue.read { db in try Self.owners(db, file) }
        } catch {
            throw LedgerError.ledger(path: path, reason: Self.describe(error))
        }
    }

    static func owners(_ db: Database, _ file: DataFileFingerprint) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT DISTINCT dataset FROM data_files WHERE fingerprint IN (?, ?) ORDER BY dataset",
                            arguments: [file.path, file.content])
    }

    /// Binds a data file to `dataset`, enforcing the rule that keeps one data set's budget from being
    /// granted twice under two names:
    ///
    /// a file whose path or content is already bound to **another** data set — the same file renamed in
    /// `privacy.dataset`, moved elsewhere, or grown by appended rows at the same path — is refused unless the
    /// operator bound it to this data set explicitly (`explicit: true`, `dpflow ledger bind` / `ledger grant
    /// --csv`). A new file for a known data set is simply bound to it as well (it then shares that budget).
    /// - Throws: `LedgerError.fileBoundElsewhere` (nothing recorded), `ledger`.
    public func bind(dataset: String, file: DataFileFingerprint, displayPath: String, explicit: Bool) throws {
        guard !dataset.isEmpty else { throw LedgerError.invalidBudget("the dataset id is empty") }
        try write { db in
            let owners = try Self.owners(db, file)
            if !explicit, !owners.isEmpty, !owners.contains(dataset) {
                throw LedgerError.fileBoundElsewhere(file: displayPath, dataset: dataset, boundTo: owners)
            }
            for (kind, fingerprint) in [("path", file.path), ("content", file.content)] {
                try db.execute(sql: "INSERT OR IGNORE INTO data_files (dataset, kind, fingerprint, first_seen) VALUES (?, ?, ?, ?)",
                               arguments: [dataset, kind, fingerprint, Self.now()])
            }
        }
    }

    /// Granted and charged (committed + reserved) amounts of a data set in exact units, nil without a grant.
    public func units(dataset: String) throws -> LedgerUnits? {
        do {
            return try queue.read { db in
                guard let grant = try Row.fetchOne(db, sql: "SELECT granted_epsilon_units AS e, granted_delta_units AS d FROM datasets WHERE id = ?",
                                                   arguments: [dataset]) else { return nil }
                let charged = try Self.charged(db, dataset)
                return LedgerUnits(grantedEpsilon: grant["e"], grantedDelta: grant["d"],
                                   chargedEpsilon: charged.epsilon, chargedDelta: charged.delta)
            }
        } catch {
            throw LedgerError.ledger(path: path, reason: Self.describe(error))
        }
    }

    /// `sha256:` and the plain SHA-256 of a file: the id `PrivateDataFrame.load` gives a frame loaded without a
    /// declared id (library use). dpflow's pipelines and CLI never use it as a ledger id, and never print it: a
    /// plain hash of private data lets anyone who knows the other rows confirm one row's value offline
    /// (issue 11) — they use a declared id or the keyed `fingerprint(file:).datasetID`.
    public static func datasetID(forCSVAt path: String) throws -> String {
        try LedgerSecret.plainDatasetID(file: path)
    }
}
