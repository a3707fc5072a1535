import PrivateDataFrame

/// How `dpflow run` runs one pipeline.
public struct RunOptions: Sendable {
    /// Output folder (report.json, report.html, exported model, log.txt, status.json).
    public var outputDirectory: String
    /// SQLite ledger file shared by all runs on the same data.
    public var ledgerPath: String
    /// Create the ledger when `ledgerPath` does not exist (never over an empty or damaged file). The CLI sets it
    /// only for the first use of the per-user default location (`LedgerLocation.mayCreateOnFirstUse`).
    public var createLedgerIfAbsent: Bool
    /// Seed for sampling and noise. Seeded runs are NOT private (reported as such); for tests only.
    public var seed: UInt64?
    /// Replaces every train stage's `epochs` (tests use small values). The plan and the reservation use it.
    public var epochsOverride: Int?
    /// Receives progress and log events (the CLI draws a progress bar or prints lines).
    public var events: (@Sendable (RunEvent) -> Void)?
    /// The data-parallel job this process is a rank of (`mpirun -np K dpflow run`); nil for one process.
    public var parallel: DataParallelJob?

    public init(outputDirectory: String, ledgerPath: String, createLedgerIfAbsent: Bool = true, seed: UInt64? = nil,
                epochsOverride: Int? = nil, events: (@Sendable (RunEvent) -> Void)? = nil) {
        self.outputDirectory = outputDirectory
        self.ledgerPath = ledgerPath
        self.createLedgerIfAbsent = createLedgerIfAbsent
        self.seed = seed
        self.epochsOverride = epochsOverride
        self.events = events
    }

    /// The per-user default ledger (`LedgerLocation`), the same default as `dpflow ledger`.
    public static var defaultLedgerPath: String { SQLiteBudgetLedger.defaultPath }
}

/// Something that happened during a run, for progress display. Carries no data values.
public enum RunEvent: Sendable {
    /// A log line (also written to `log.txt`).
    case log(String)
    /// A training epoch finished: loss is the mean training loss (not DP-protected; shown locally only),
    /// epsilon the training ε spent so far.
    case epoch(epoch: Int, epochs: Int, steps: Int, totalSteps: Int, loss: Double, epsilon: Double)
}
