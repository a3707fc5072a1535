import Foundation
import Synchronization

/// A throw-away PostgreSQL server for the tests: `initdb` into a temporary folder, `pg_ctl start` on a free
/// loopback port (and a unix socket in that folder), stopped when the test process exits.
///
/// As root the server runs as the `postgres` user (PostgreSQL refuses root). If it cannot start, every
/// PostgreSQL test **fails** with the reason; only `DPFLOW_SKIP_POSTGRES_TESTS=1` skips them (opt-out).
/// The server binaries come from `$DPFLOW_PG_BINDIR`, else the newest `/usr/lib/postgresql/*/bin`, else `PATH`.
final class PostgresTestServer: Sendable {
    /// The environment variable that opts out of the PostgreSQL tests.
    static let optOutVariable = "DPFLOW_SKIP_POSTGRES_TESTS"
    static var isOptedOut: Bool { ProcessInfo.processInfo.environment[optOutVariable] == "1" }

    let folder: String
    let port: Int
    let bin: String
    let runAs: String?
    /// The superuser the tests connect as (trust authentication on loopback only).
    let user = "dpflow_test"
    private let databaseCounter = Mutex(0)

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    private static let shared = Mutex<Result<PostgresTestServer, StartFailure>?>(nil)

    /// The server of this test process, started on first use.
    /// - Throws: `StartFailure` with the reason (and how to opt out) when it cannot start.
    static func start() throws -> PostgresTestServer {
        try shared.withLock { state in
            if let state { return try state.get() }
            let result: Result<PostgresTestServer, StartFailure>
            do { result = .success(try PostgresTestServer()) } catch let e as StartFailure { result = .failure(e) } catch {
                result = .failure(StartFailure(description: "\(error)"))
            }
            state = result
            if case .success = result { atexit { PostgresTestServer.stopShared() } }
            return try result.get()
        }
    }

    static func stopShared() {
        shared.withLock { state in
            if case let .success(server)? = state { server.stop() }
        }
    }

    private init() throws {
        func fail(_ why: String) -> StartFailure {
            StartFailure(description: "PostgreSQL test server: \(why). Install Debian's `postgresql` (scripts/install-deps.sh), "
                         + "or set \(Self.optOutVariable)=1 to skip the PostgreSQL ledger tests explicitly.")
        }
        guard let bin = Self.binaryFolder() else { throw fail("no initdb/pg_ctl found (looked in $DPFLOW_PG_BINDIR, /usr/lib/postgresql/*/bin, PATH)") }
        self.bin = bin
        let isRoot = getuid() == 0
        runAs = isRoot ? "postgres" : nil
        folder = "/tmp/dpflow-pg-" + UUID().uuidString.prefix(8).lowercased()
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false) } catch {
            throw fail("cannot create \(folder): \(error)")
        }
        if isRoot {
            let chown = try Self.execute("/bin/chown", ["postgres:postgres", folder])
            guard chown.status == 0 else { throw fail("cannot give \(folder) to the postgres user (\(chown.output)); as root the server must run as `postgres`") }
        }
        guard let port = Self.freeLoopbackPort() else { throw fail("no free loopback port") }
        self.port = port
        let initdb = try Self.execute(bin + "/initdb", ["-D", folder + "/data", "-A", "trust", "-U", user, "--no-sync",
                                                         "-E", "UTF8", "--no-locale"], runAs: runAs)
        guard initdb.status == 0 else { throw fail("initdb failed (exit \(initdb.status)): \(initdb.output.suffix(600))") }
        let options = "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off "
            + "-c synchronous_commit=off -c max_connections=100"
        let start = try Self.execute(bin + "/pg_ctl", ["-D", folder + "/data", "-o", options, "-l", folder + "/server.log",
                                                        "-w", "-t", "30", "start"], runAs: runAs)
        guard start.status == 0 else {
            let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""
            throw fail("pg_ctl start failed (exit \(start.status)): \(start.output.suffix(400)) \(log.suffix(600))")
        }
    }

    func stop() {
        _ = try? Self.execute(bin + "/pg_ctl", ["-D", folder + "/data", "-m", "immediate", "-w", "stop"], runAs: runAs)
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A new, empty database; returns its URL (TCP on loopback, TLS off).
    func makeDatabase() throws -> String {
        let n = databaseCounter.withLock { n -> Int in n += 1; return n }
        let name = "ledger_\(getpid())_\(n)"
        let r = try Self.execute(bin + "/createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", user, name])
        guard r.status == 0 else { throw StartFailure(description: "createdb \(name) failed: \(r.output)") }
        return "postgres://\(user)@127.0.0.1:\(port)/\(name)?sslmode=disable"
    }

    /// Runs SQL with `psql` as the superuser, or as `role` (`SET ROLE`).
    func psql(_ url: String, _ sql: String) throws -> (status: Int32, output: String) {
        let db = String(url.split(separator: "/").last?.split(separator: "?").first ?? "")
        return try Self.execute(bin + "/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port),
                                                "-U", user, "-d", db, "-c", sql])
    }

    static func binaryFolder() -> String? {
        let fm = FileManager.default
        if let b = ProcessInfo.processInfo.environment["DPFLOW_PG_BINDIR"], fm.isExecutableFile(atPath: b + "/initdb") { return b }
        let versions = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap(Int.init).sorted(by: >)
        for v in versions where fm.isExecutableFile(atPath: "/usr/lib/postgresql/\(v)/bin/initdb") { return "/usr/lib/postgresql/\(v)/bin" }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") where fm.isExecutableFile(atPath: "\(dir)/initdb") {
            return String(dir)
        }
        return nil
    }

    static func freeLoopbackPort() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        guard bound == 0 else { return nil }
        let named = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        guard named == 0 else { return nil }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Runs a program (as `runAs` through `runuser` when given), returning its status and combined output.
    /// Spawned with `posix_spawn` and reaped with `waitpid`, the output through a temporary file: `pg_ctl start`
    /// leaves a server running that inherits descriptors, so neither a pipe nor Foundation's `Process` exit
    /// monitoring would ever see the command finish.
    static func execute(_ program: String, _ arguments: [String], runAs: String? = nil) throws -> (status: Int32, output: String) {
        let argv = (runAs.map { ["/usr/sbin/runuser", "-u", $0, "--"] } ?? []) + [program] + arguments
        let outPath = NSTemporaryDirectory() + "dpflow-pg-out-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: outPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArgs = argv.map { strdup($0) }
        cArgs.append(nil)
        defer { for a in cArgs { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, environ)
        guard rc == 0 else { throw StartFailure(description: "cannot run \(argv[0]): error \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = (status & 0x7f) == 0
        let code = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let data = FileManager.default.contents(atPath: outPath) ?? Data()
        return (code, String(decoding: data, as: UTF8.self))
    }
}
