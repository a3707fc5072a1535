import Foundation
import NIOCore
import NIOPosix
import PostgresNIO

/// A `BudgetLedger` in a PostgreSQL database, shared by pipeline jobs on many machines (through PostgresNIO).
///
/// The invariants are the database's own, whatever client writes to it (see `PostgresLedgerSchema`):
/// `charged ≤ granted` is a CHECK constraint on `datasets`, kept by a trigger that adds every new spend to its
/// data set's charged total under the data set's row lock; triggers refuse deleting or truncating any table,
/// changing a spend other than reserved → committed, lowering a charged total, and changing the ledger's
/// identity. Every operation runs in a SERIALIZABLE transaction and is retried (up to `maxAttempts`, with
/// random back-off) when PostgreSQL reports a serialization failure (SQLSTATE 40001) or a deadlock (40P01).
///
/// One connection per ledger value, used by one operation at a time. Fails closed: an unreachable server, a
/// database without the dpflow schema, or a schema of another format is refused (`LedgerError.ledger`).
public final class PostgresBudgetLedger: BudgetLedger, @unchecked Sendable {
    /// The address, without its password.
    public var location: String { url.redacted }
    public let identity: String
    public let url: PostgresLedgerURL
    /// Attempts of one transaction before a serialization failure is reported.
    public let maxAttempts: Int
    let secret: LedgerSecret
    private let lock = NSLock()
    private var connection: PostgresConnection?
    private let logger: Logger

    /// Opens the ledger in an existing database whose schema was made by `create` (`dpflow ledger init`).
    /// - Throws: `LedgerError.ledger` when the server cannot be reached or the database holds no dpflow ledger.
    public init(url: PostgresLedgerURL, maxAttempts: Int = 50) throws {
        self.url = url
        self.maxAttempts = max(1, maxAttempts)
        var logger = Logger(label: "dpflow.ledger.postgres")
        logger.logLevel = .critical
        self.logger = logger
        connection = try Self.connect(url, logger: logger)
        let location = url.redacted
        let meta: [String: String]
        do {
            guard let conn = connection else { throw LedgerError.ledger(path: location, reason: "no connection") }
            let exists = try conn.query("SELECT to_regclass('ledger_meta')::text", logger: logger).wait()
            guard let first = exists.first, (try first.decode(String?.self)) != nil else {
                throw LedgerError.ledger(path: location, reason: "this database holds no dpflow ledger (no ledger_meta table); "
                                         + "create one with `dpflow ledger init --ledger \(location)`")
            }
            let rows = try conn.query("SELECT key, value FROM ledger_meta", logger: logger).wait()
            meta = Dictionary(try rows.map { try $0.decode((String, String).self) }, uniquingKeysWith: { a, _ in a })
        } catch let e as LedgerError {
            try? connection?.close().wait()
            throw e
        } catch {
            try? connection?.close().wait()
            throw LedgerError.ledger(path: location, reason: "cannot read the ledger: \(Self.describe(error))")
        }
        guard meta["format"] == PostgresLedgerSchema.format, let identity = meta["identity"],
              let secretHex = meta["secret"], let secret = LedgerSecret(hex: secretHex) else {
            try? connection?.close().wait()
            throw LedgerError.ledger(path: location, reason: "the ledger's format, identity or secret is missing or damaged; refused")
        }
        self.identity = identity
        self.secret = secret
    }

    /// Parses `urlString` and opens the ledger there.
    public convenience init(urlString: String) throws {
        try self.init(url: PostgresLedgerURL(urlString))
    }

    deinit {
        try? connection?.close().wait()
    }

    /// Creates the dpflow ledger schema (tables, constraints, triggers) in an existing database, with a fresh
    /// identity and secret (`dpflow ledger init`). Refuses a database that already holds a ledger.
    /// Run it as the role that is to own the ledger (the data owner's); see docs/ledger.md for the GRANTs.
    @discardableResult
    public static func create(url: PostgresLedgerURL) throws -> PostgresBudgetLedger {
        var logger = Logger(label: "dpflow.ledger.postgres")
        logger.logLevel = .critical
        let conn = try connect(url, logger: logger)
        defer { try? conn.close().wait() }
        let secret = LedgerSecret.random()
        let identity = UUID().uuidString.lowercased()
        do {
            _ = try conn.simpleQuery("BEGIN ISOLATION LEVEL SERIALIZABLE").wait()
            let exists = try conn.query("SELECT to_regclass('ledger_meta')::text", logger: logger).wait()
            if let first = exists.first, (try first.decode(String?.self)) != nil {
                _ = try? conn.simpleQuery("ROLLBACK").wait()
                throw LedgerError.ledger(path: url.redacted, reason: "this database already holds a dpflow ledger; `ledger init` never overwrites one")
            }
            for statement in PostgresLedgerSchema.statements {
                _ = try conn.query(PostgresQuery(unsafeSQL: statement), logger: logger).wait()
            }
            for (key, value) in [("format", PostgresLedgerSchema.format), ("identity", identity), ("secret", secret.hex),
                                 ("created_at", ledgerTimestamp())] {
                _ = try conn.query("INSERT INTO ledger_meta (key, value) VALUES (\(key), \(value))", logger: logger).wait()
            }
            _ = try conn.simpleQuery("COMMIT").wait()
        } catch let e as LedgerError {
            throw e
        } catch {
            _ = try? conn.simpleQuery("ROLLBACK").wait()
            throw LedgerError.ledger(path: url.redacted, reason: "cannot create the ledger schema: \(describe(error))")
        }
        return try PostgresBudgetLedger(url: url)
    }

    static func connect(_ url: PostgresLedgerURL, logger: Logger) throws -> PostgresConnection {
        var config: PostgresConnection.Configuration
        if let socket = url.socketFolder {
            config = .init(unixSocketPath: socket + "/.s.PGSQL.\(url.port)", username: url.user, password: url.password,
                           database: url.database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            do {
                switch url.tls {
                case .disable: tls = .disable
                case .prefer: tls = .prefer(try .init(configuration: .makeClientConfiguration()))
                case .require: tls = .require(try .init(configuration: .makeClientConfiguration()))
                }
            } catch {
                throw LedgerError.ledger(path: url.redacted, reason: "cannot set up TLS: \(describe(error))")
            }
            config = .init(host: url.host ?? "localhost", port: url.port, username: url.user, password: url.password,
                           database: url.database, tls: tls)
        }
        config.options.connectTimeout = .seconds(10)
        do {
            return try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: config,
                                                  id: 1, logger: logger).wait()
        } catch {
            throw LedgerError.ledger(path: url.redacted, reason: "cannot connect to the PostgreSQL server: \(describe(error)); refused")
        }
    }

    /// The SQLSTATE of a server error, if any.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let info = e.serverInfo {
                let message = info[.message] ?? "error"
                return "PostgreSQL \(info[.sqlState] ?? "?"): \(message)"
            }
            return "PostgreSQL client: \(e.code.description)"
        }
        return String(describing: error)
    }

    /// Runs `body` in a SERIALIZABLE transaction on this ledger's connection, retrying serialization failures
    /// (40001) and deadlocks (40P01) after a random back-off; reconnects once if the connection was lost.
    func transaction<T>(readOnly: Bool = false, _ body: (PostgresConnection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        var attempt = 0
        while true {
            attempt += 1
            let conn: PostgresConnection
            if let c = connection, !c.isClosed { conn = c } else {
                conn = try Self.connect(url, logger: logger)
                connection = conn
            }
            do {
                _ = try conn.simpleQuery("BEGIN ISOLATION LEVEL SERIALIZABLE" + (readOnly ? " READ ONLY" : "")).wait()
                let result = try body(conn)
                _ = try conn.simpleQuery("COMMIT").wait()
                return result
            } catch {
                _ = try? conn.simpleQuery("ROLLBACK").wait()
                let state = Self.sqlState(error)
                if (state == "40001" || state == "40P01"), attempt < maxAttempts {
                    usleep(UInt32.random(in: 1_000...(2_000 * UInt32(min(attempt, 50)))))
                    continue
                }
                if let e = error as? LedgerError { throw e }
                if state == "40001" || state == "40P01" {
                    throw LedgerError.ledger(path: location, reason: "gave up after \(attempt) serialization failures (\(Self.describe(error)))")
                }
                throw LedgerError.ledger(path: location, reason: Self.describe(error))
            }
        }
    }

    func run(_ conn: PostgresConnection, _ query: PostgresQuery) throws -> PostgresQueryResult {
        try conn.query(query, logger: logger).wait()
    }

    static func units(_ conn: PostgresConnection, _ dataset: String, logger: Logger) throws -> LedgerUnits? {
        let rows = try conn.query("""
            SELECT granted_epsilon_units, granted_delta_units, charged_epsilon_units, charged_delta_units
            FROM datasets WHERE id = \(dataset)
            """, logger: logger).wait()
        guard let row = rows.first else { return nil }
        let (ge, gd, ce, cd) = try row.decode((Int64, Int64, Int64, Int64).self)
        return LedgerUnits(grantedEpsilon: ge, grantedDelta: gd, chargedEpsilon: ce, chargedDelta: cd)
    }

    // MARK: BudgetLedger

    public func grant(dataset: String, epsilon: Double, delta: Double) throws {
        try BudgetAmount.validate(epsilon: epsilon, delta: delta)
        guard !dataset.isEmpty else { throw LedgerError.invalidBudget("the dataset id is empty") }
        let ge = BudgetAmount.epsilonUnitsGranted(epsilon), gd = BudgetAmount.deltaUnitsGranted(delta)
        try transaction { conn in
            if let u = try Self.units(conn, dataset, logger: logger), u.chargedEpsilon > ge || u.chargedDelta > gd {
                throw LedgerError.invalidBudget(
                    "dataset '\(dataset)': a grant of ε=\(epsilon), δ=\(delta) is below what is already charged (ε=\(BudgetAmount.epsilon(u.chargedEpsilon)), δ=\(BudgetAmount.delta(u.chargedDelta))); budget is never refunded")
            }
            _ = try run(conn, """
                INSERT INTO datasets (id, granted_epsilon_units, granted_delta_units) VALUES (\(dataset), \(ge), \(gd))
                ON CONFLICT (id) DO UPDATE SET granted_epsilon_units = EXCLUDED.granted_epsilon_units,
                  granted_delta_units = EXCLUDED.granted_delta_units, updated_at = now()
                """)
        }
    }

    public func reserve(dataset: String, job: String, mechanism: String, epsilon: Double, delta: Double) throws -> BudgetReservation {
        try BudgetAmount.validate(epsilon: epsilon, delta: delta)
        let re = BudgetAmount.epsilonUnitsCharged(epsilon), rd = BudgetAmount.deltaUnitsCharged(delta)
        let id: Int64 = try transaction { conn in
            guard let u = try Self.units(conn, dataset, logger: logger) else { throw LedgerError.noGrant(dataset: dataset) }
            if u.chargedEpsilon + re > u.grantedEpsilon || u.chargedDelta + rd > u.grantedDelta {
                throw Self.exceeded(dataset, epsilon: epsilon, delta: delta, u)
            }
            let rows = try run(conn, """
                INSERT INTO spends (dataset, job, mechanism, epsilon_units, delta_units, epsilon, delta)
                VALUES (\(dataset), \(job), \(mechanism), \(re), \(rd), \(epsilon), \(delta)) RETURNING id
                """)
            guard let row = rows.first else { throw LedgerError.ledger(path: location, reason: "the insert returned no id") }
            return try row.decode(Int64.self)
        }
        return BudgetReservation(id: id, dataset: dataset, job: job, mechanism: mechanism, epsilon: epsilon, delta: delta)
    }

    public func commit(id: Int64) throws {
        try transaction { conn in
            let result = try run(conn, "UPDATE spends SET status = 'committed', committed_at = now() WHERE id = \(id) AND status = 'reserved'")
            if result.metadata.rows != 1 { throw LedgerError.reservationNotFound(id: id) }
        }
    }

    public func budgets() throws -> [DatasetBudget] {
        try transaction(readOnly: true) { conn in
            try run(conn, """
                SELECT d.id, d.granted_epsilon_units, d.granted_delta_units,
                  COALESCE(SUM(s.epsilon_units) FILTER (WHERE s.status = 'committed'), 0)::bigint,
                  COALESCE(SUM(s.delta_units) FILTER (WHERE s.status = 'committed'), 0)::bigint,
                  COALESCE(SUM(s.epsilon_units) FILTER (WHERE s.status = 'reserved'), 0)::bigint,
                  COALESCE(SUM(s.delta_units) FILTER (WHERE s.status = 'reserved'), 0)::bigint
                FROM datasets d LEFT JOIN spends s ON s.dataset = d.id GROUP BY d.id ORDER BY d.id
                """).map { row in
                let (id, ge, gd, ce, cd, re, rd) = try row.decode((String, Int64, Int64, Int64, Int64, Int64, Int64).self)
                return DatasetBudget(dataset: id, grantedEpsilon: BudgetAmount.epsilon(ge), grantedDelta: BudgetAmount.delta(gd),
                                     committedEpsilon: BudgetAmount.epsilon(ce), committedDelta: BudgetAmount.delta(cd),
                                     reservedEpsilon: BudgetAmount.epsilon(re), reservedDelta: BudgetAmount.delta(rd))
            }
        }
    }

    public func spends(dataset: String?) throws -> [BudgetSpend] {
        try transaction(readOnly: true) { conn in
            let columns = """
                SELECT id, dataset, job, mechanism, epsilon, delta, status,
                  to_char(reserved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                  to_char(committed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM spends
                """
            let rows = try dataset.map { try run(conn, PostgresQuery(unsafeSQL: columns + " WHERE dataset = $1 ORDER BY id", binds: try Self.binds($0))) }
                ?? run(conn, PostgresQuery(unsafeSQL: columns + " ORDER BY id"))
            return try rows.map { row in
                let (id, ds, job, mech, e, d, status, reservedAt, committedAt) =
                    try row.decode((Int64, String, String, String, Double, Double, String, String, String?).self)
                return BudgetSpend(id: id, dataset: ds, job: job, mechanism: mech, epsilon: e, delta: d,
                                   status: SpendStatus(rawValue: status) ?? .reserved, reservedAt: reservedAt, committedAt: committedAt)
            }
        }
    }

    static func binds(_ text: String) throws -> PostgresBindings {
        var b = PostgresBindings()
        b.append(text)
        return b
    }

    public func units(dataset: String) throws -> LedgerUnits? {
        try transaction(readOnly: true) { conn in try Self.units(conn, dataset, logger: logger) }
    }

    public func fingerprint(file: String) throws -> DataFileFingerprint { try secret.fingerprint(file: file) }

    static func owners(_ conn: PostgresConnection, _ file: DataFileFingerprint, logger: Logger) throws -> [String] {
        try conn.query("SELECT DISTINCT dataset FROM data_files WHERE fingerprint IN (\(file.path), \(file.content)) ORDER BY dataset",
                       logger: logger).wait().map { try $0.decode(String.self) }
    }

    public func datasets(boundTo file: DataFileFingerprint) throws -> [String] {
        try transaction(readOnly: true) { conn in try Self.owners(conn, file, logger: logger) }
    }

    public func bind(dataset: String, file: DataFileFingerprint, displayPath: String, explicit: Bool) throws {
        guard !dataset.isEmpty else { throw LedgerError.invalidBudget("the dataset id is empty") }
        try transaction { conn in
            let owners = try Self.owners(conn, file, logger: logger)
            if !explicit, !owners.isEmpty, !owners.contains(dataset) {
                throw LedgerError.fileBoundElsewhere(file: displayPath, dataset: dataset, boundTo: owners)
            }
            for (kind, fingerprint) in [("path", file.path), ("content", file.content)] {
                _ = try run(conn, """
                    INSERT INTO data_files (dataset, kind, fingerprint) VALUES (\(dataset), \(kind), \(fingerprint))
                    ON CONFLICT DO NOTHING
                    """)
            }
        }
    }
}
