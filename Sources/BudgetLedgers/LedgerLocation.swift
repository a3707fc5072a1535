import Foundation

/// Where the budget ledger lives, and whether dpflow may create it there.
///
/// - `--ledger PATH|URL`, else the environment variable `DPFLOW_LEDGER`: an **explicit** ledger. It must exist and
///   have been created by `dpflow ledger init`; a missing, empty, truncated, corrupt or unreadable file is
///   refused (never re-initialised). A `postgres://user@host:port/database` URL selects the PostgreSQL ledger
///   (`PostgresBudgetLedger`); anything else is a SQLite file path.
/// - Otherwise the **default** ledger of the user: `$XDG_DATA_HOME/dpflow/ledger.sqlite`, or
///   `~/.local/share/dpflow/ledger.sqlite` — a fixed place, not relative to the working directory. On first use
///   (when its folder `…/dpflow/` does not exist yet) `dpflow run` creates folder and ledger; once the folder
///   exists a missing ledger is refused like an explicit one (it was deleted: dpflow cannot know what it held).
public struct LedgerLocation: Sendable, Equatable {
    /// The ledger file.
    public var path: String
    /// True for `--ledger`/`DPFLOW_LEDGER`; false for the per-user default.
    public var isExplicit: Bool

    public init(path: String, isExplicit: Bool) {
        self.path = path
        self.isExplicit = isExplicit
    }

    /// The environment variable that names a ledger when `--ledger` is absent.
    public static let environmentVariable = "DPFLOW_LEDGER"

    /// `--ledger` if given, else `DPFLOW_LEDGER` if set and non-empty, else the per-user default.
    public static func resolve(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> LedgerLocation {
        if let option { return LedgerLocation(path: option, isExplicit: true) }
        if let env = environment[environmentVariable], !env.isEmpty { return LedgerLocation(path: env, isExplicit: true) }
        return LedgerLocation(path: defaultPath(environment: environment), isExplicit: false)
    }

    /// `$XDG_DATA_HOME/dpflow/ledger.sqlite` (an absolute `XDG_DATA_HOME` only, as the XDG spec says), else
    /// `$HOME/.local/share/dpflow/ledger.sqlite`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            return (xdg as NSString).appendingPathComponent("dpflow/ledger.sqlite")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".local/share/dpflow/ledger.sqlite")
    }

    /// Whether `dpflow run` may create the ledger here: only at the default location, and only on first use
    /// (its folder does not exist yet).
    public var mayCreateOnFirstUse: Bool {
        guard !isExplicit, !isPostgres else { return false }
        let folder = (path as NSString).deletingLastPathComponent
        return !FileManager.default.fileExists(atPath: folder)
    }
}
