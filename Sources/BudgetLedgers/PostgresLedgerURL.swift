import Foundation

/// A PostgreSQL ledger address: `postgres://user[:password]@host[:port]/database[?host=/socket/dir&sslmode=…]`
/// (`postgresql://` too), as libpq writes it.
///
/// - `host=` in the query names a folder holding the server's unix socket (`.s.PGSQL.PORT`), as libpq's;
///   a host of `%2F…` (an escaped path) works too.
/// - `sslmode=disable|prefer|require` (default `prefer`: TLS when the server offers it).
/// - The password comes from the URL, else the environment variable `PGPASSWORD`; it is never shown
///   (`redacted` is what messages and `ledger show` print).
public struct PostgresLedgerURL: Sendable, Equatable {
    public enum TLSMode: String, Sendable { case disable, prefer, require }

    public var user: String
    public var password: String?
    /// TCP host, or nil when `socketFolder` is set.
    public var host: String?
    public var port: Int
    /// Folder of the server's unix socket.
    public var socketFolder: String?
    public var database: String
    public var tls: TLSMode

    /// Whether `text` is meant as a PostgreSQL URL (then it must parse, or the ledger is refused).
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses a URL. - Throws: `LedgerError.ledger` naming what is wrong (the password never appears).
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func fail(_ why: String) -> LedgerError {
            .ledger(path: Self.redact(text), reason: "not a usable PostgreSQL URL: \(why) "
                    + "(expected postgres://user@host:port/database or postgres://user@/database?host=/socket/folder)")
        }
        guard Self.isPostgres(text), let components = URLComponents(string: text) else { throw fail("cannot parse it") }
        guard let user = components.user, !user.isEmpty else { throw fail("no user name") }
        self.user = user
        password = components.password ?? environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        let db = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !db.isEmpty, !db.contains("/") else { throw fail("no database name") }
        database = db
        port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw fail("port out of range") }
        var tls = TLSMode.prefer
        var socket: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "host": socket = item.value
            case "sslmode":
                guard let v = item.value, let mode = TLSMode(rawValue: v) else { throw fail("sslmode must be disable, prefer or require") }
                tls = mode
            default: throw fail("unknown parameter '\(item.name)'")
            }
        }
        let h = components.host.flatMap { $0.isEmpty ? nil : $0 }
        if let h, h.hasPrefix("/") { socket = h }
        if let socket {
            guard socket.hasPrefix("/") else { throw fail("host= must be an absolute socket folder") }
            socketFolder = socket
            host = nil
        } else {
            guard let h else { throw fail("no host") }
            host = h
            socketFolder = nil
        }
        self.tls = tls
    }

    /// The URL without its password, for messages.
    public var redacted: String {
        let target = socketFolder.map { "/\(database)?host=\($0)" } ?? "\(host ?? "")\(port == 5432 ? "" : ":\(port)")/\(database)"
        return "postgres://\(user)@" + (socketFolder == nil ? target : target)
    }

    /// Any URL with its password (if any) replaced by `***`.
    public static func redact(_ text: String) -> String {
        guard var c = URLComponents(string: text), c.password != nil else { return text }
        c.password = "***"
        return c.string ?? "postgres://(unparsable)"
    }
}
