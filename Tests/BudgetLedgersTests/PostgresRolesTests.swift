import Foundation
import Testing
@testable import BudgetLedgers

/// The roles and GRANTs of docs/ledger.md (scripts/ledger-postgres-grants.sql), checked on a real server: a
/// runner reserves and commits but cannot grant, delete, rewrite history or change the schema.
@Suite("PostgreSQL ledger roles", .serialized, .enabled(if: !PostgresTestServer.isOptedOut))
struct PostgresRolesTests {
    static var grantsScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/ledger-postgres-grants.sql").path
    }

    @Test("a runner can reserve and commit, but not grant, delete, truncate, rewrite or drop")
    func runnerPrivileges() throws {
        let server = try PostgresTestServer.start()
        let admin = try server.makeDatabase()
        let db = String(admin.split(separator: "/").last?.split(separator: "?").first ?? "")
        let roles = """
            DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dpflow_owner') THEN CREATE ROLE dpflow_owner LOGIN; END IF;
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dpflow_runner') THEN CREATE ROLE dpflow_runner LOGIN; END IF;
            END $$;
            ALTER DATABASE \(db) OWNER TO dpflow_owner;
            ALTER SCHEMA public OWNER TO dpflow_owner;
            """
        let made = try server.psql(admin, roles)
        #expect(made.status == 0, "\(made.output)")
        let ownerURL = "postgres://dpflow_owner@127.0.0.1:\(server.port)/\(db)?sslmode=disable"
        let runnerURL = "postgres://dpflow_runner@127.0.0.1:\(server.port)/\(db)?sslmode=disable"
        let owner = try PostgresBudgetLedger.create(url: PostgresLedgerURL(ownerURL))
        let grants = try PostgresTestServer.execute(server.bin + "/psql", [
            "-X", "-q", "-h", "127.0.0.1", "-p", String(server.port), "-U", "dpflow_owner", "-d", db,
            "-v", "runner=dpflow_runner", "-f", Self.grantsScript])
        #expect(grants.status == 0, "\(grants.output)")
        try owner.grant(dataset: "d", epsilon: 1, delta: 1e-6)

        let runner = try PostgresBudgetLedger(url: PostgresLedgerURL(runnerURL))
        #expect(runner.identity == owner.identity)
        let r = try runner.reserve(dataset: "d", job: "pipeline", mechanism: "dp-sgd", epsilon: 0.4, delta: 1e-7)
        try runner.commit(r)
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("roles-\(UUID().uuidString).csv").path
        try Data("x\n1\n".utf8).write(to: URL(fileURLWithPath: csv))
        defer { try? FileManager.default.removeItem(atPath: csv) }
        try runner.bind(dataset: "d", file: runner.fingerprint(file: csv), displayPath: csv)
        #expect(throws: LedgerError.self, "a runner cannot grant") { try runner.grant(dataset: "d", epsilon: 5, delta: 1e-6) }
        #expect(throws: LedgerError.self, "a runner cannot create a data set") { try runner.grant(dataset: "new", epsilon: 5, delta: 0) }
        for sql in ["DELETE FROM spends", "TRUNCATE spends", "UPDATE spends SET epsilon_units = 0",
                    "UPDATE datasets SET granted_epsilon_units = 100000000000000", "UPDATE datasets SET charged_epsilon_units = 0",
                    "DROP TRIGGER spends_never_deleted ON spends", "ALTER TABLE spends DISABLE TRIGGER ALL",
                    "UPDATE ledger_meta SET value = 'x'", "DELETE FROM data_files"] {
            #expect(throws: (any Error).self, "a runner could run: \(sql)") {
                try runner.transaction { conn in _ = try conn.simpleQuery(sql).wait() }
            }
        }
        // Even the owner cannot delete or refund (triggers).
        #expect(throws: (any Error).self) { try owner.transaction { conn in _ = try conn.simpleQuery("DELETE FROM spends").wait() } }
        let b = try owner.budget(dataset: "d")
        #expect(b.committedEpsilon == 0.4 && b.grantedEpsilon == 1)
    }

    @Test("URLs: TCP, unix socket folder, sslmode; the password never appears in messages")
    func urls() throws {
        let tcp = try PostgresLedgerURL("postgres://alice:s3cret@db.example:6543/ledger?sslmode=require")
        #expect(tcp.user == "alice" && tcp.password == "s3cret" && tcp.host == "db.example" && tcp.port == 6543)
        #expect(tcp.database == "ledger" && tcp.tls == .require)
        #expect(!tcp.redacted.contains("s3cret") && tcp.redacted.contains("db.example:6543/ledger"))
        #expect(!PostgresLedgerURL.redact("postgres://alice:s3cret@h/db").contains("s3cret"))
        let socket = try PostgresLedgerURL("postgresql://bob@/ledger?host=/run/postgresql", environment: ["PGPASSWORD": "pw"])
        #expect(socket.socketFolder == "/run/postgresql" && socket.host == nil && socket.password == "pw" && socket.port == 5432)
        for bad in ["postgres://h/db", "postgres://u@h", "postgres://u@h/db?sslmode=maybe", "postgres://u@h/db?foo=1",
                    "postgres://u@/db?host=relative"] {
            #expect(throws: LedgerError.self, "\(bad)") { _ = try PostgresLedgerURL(bad) }
        }
        #expect(LedgerLocation.resolve(option: nil, environment: ["DPFLOW_LEDGER": "postgres://u@h/db"]).isPostgres)
        #expect(!LedgerLocation.resolve(option: "/tmp/x.sqlite", environment: [:]).isPostgres)
        #expect(!LedgerLocation(path: "postgres://u@h/db", isExplicit: false).mayCreateOnFirstUse)
    }

    @Test("an unreachable server or a database without a ledger is refused (fail closed)")
    func failClosed() throws {
        let server = try PostgresTestServer.start()
        let empty = try server.makeDatabase()
        #expect(throws: LedgerError.self) { _ = try PostgresBudgetLedger(urlString: empty) }
        guard let port = PostgresTestServer.freeLoopbackPort() else { return }
        do {
            _ = try PostgresBudgetLedger(urlString: "postgres://u@127.0.0.1:\(port)/none?sslmode=disable")
            Issue.record("connected to nothing")
        } catch let LedgerError.ledger(path, reason) {
            #expect(reason.contains("cannot connect") && !path.contains("@127.0.0.1:\(port)/none?"))
        }
    }
}
