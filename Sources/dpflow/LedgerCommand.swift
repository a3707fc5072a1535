import ArgumentParser
import Foundation
import BudgetLedgers
import PrivateDataFrame

/// `dpflow ledger`: create, inspect and manage the privacy budget ledger.
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Create, show and manage the privacy budget ledger (grants, data files, reservations, spends).",
        discussion: """
            The ledger is a SQLite file or a PostgreSQL database: --ledger PATH|URL, else $DPFLOW_LEDGER, else the \
            per-user default $XDG_DATA_HOME/dpflow/ledger.sqlite (~/.local/share/dpflow/ledger.sqlite). A URL \
            postgres://user@host:port/database selects PostgreSQL (password from the URL or $PGPASSWORD; see \
            docs/ledger.md for the roles). `dpflow ledger init` creates it (for PostgreSQL: the schema in an \
            existing database); a missing, empty or damaged ledger is refused, never re-created (exit 3). Each dataset \
            has a granted total (ε, δ); every job reserves its spend before it starts and commits it when done. \
            Reservations of crashed jobs stay charged: budget is never refunded. Spends compose by adding their \
            ε's and their δ's.
            """,
        subcommands: [Show.self, Init.self, Grant.self, Bind.self, Reserve.self, Commit.self],
        defaultSubcommand: Show.self
    )

    /// Exit status when a reservation is refused or the ledger cannot be used.
    static let budgetExceededExitCode: Int32 = 3

    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let e as LedgerError {
            FileHandle.standardError.write(Data((e.description + "\n").utf8))
            switch e {
            case .budgetExceeded, .ledger, .fileBoundElsewhere, .noGrant: throw ExitCode(budgetExceededExitCode)
            default: throw ExitCode.failure
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show grants, totals and every spend.")
        @OptionGroup var options: LedgerOptions
        @Flag(name: .long, help: "Print JSON.") var json = false
        @Option(name: .long, help: "Only this dataset.") var dataset: String?

        func run() throws {
            try LedgerCommand.run {
                let path = options.location.displayName
                let ledger = try options.location.open()
                var budgets = try ledger.budgets()
                if let dataset { budgets = budgets.filter { $0.dataset == dataset } }
                let spends = try ledger.spends(dataset: dataset)
                if json {
                    struct Report: Encodable { let ledger: String; let identity: String; let composition: String
                        let datasets: [DatasetBudget]; let spends: [BudgetSpend] }
                    let enc = JSONEncoder()
                    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                    let data = try enc.encode(Report(ledger: path, identity: ledger.identity, composition: "basic (sum of epsilon, sum of delta)",
                                                     datasets: budgets, spends: spends))
                    print(String(decoding: data, as: UTF8.self))
                    return
                }
                print("ledger \(path) (id \(ledger.identity); composition: ε's add, δ's add; reservations are never refunded)")
                if budgets.isEmpty { print("no datasets; grant a budget with `dpflow ledger grant DATASET --epsilon E --delta D`") }
                for b in budgets {
                    print("dataset \(b.dataset)")
                    print("  granted   ε=\(fmt(b.grantedEpsilon))  δ=\(fmt(b.grantedDelta))")
                    print("  committed ε=\(fmt(b.committedEpsilon))  δ=\(fmt(b.committedDelta))")
                    print("  reserved  ε=\(fmt(b.reservedEpsilon))  δ=\(fmt(b.reservedDelta))  (uncommitted; stays charged)")
                    print("  remaining ε=\(fmt(b.remainingEpsilon))  δ=\(fmt(b.remainingDelta))")
                    for s in spends where s.dataset == b.dataset {
                        print("    #\(s.id) \(s.status.rawValue) \(s.reservedAt) job=\(s.job) mechanism=\(s.mechanism) ε=\(fmt(s.epsilon)) δ=\(fmt(s.delta))")
                    }
                }
            }
        }
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a new, empty ledger (with a fresh identity and secret); never overwrites a file.")
        @OptionGroup var options: LedgerOptions
        @Flag(name: .long, help: "Adopt a ledger of an older dpflow (keeps its grants and spends, adds identity and secret).")
        var adopt = false

        func run() throws {
            try LedgerCommand.run {
                let ledger = try options.location.create(adopt: adopt)
                print("\(adopt ? "adopted" : "created") ledger \(ledger.location) (id \(ledger.identity))")
            }
        }
    }

    struct Grant: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the total budget granted for a dataset (may be raised; never below what is charged).")
        @Argument(help: "Dataset id (as in privacy.dataset). Without it, --csv gives the file's keyed id.") var dataset: String?
        @Option(name: .long, help: "Bind this data file to the dataset (an explicit operator decision; see `ledger bind`).") var csv: String?
        @Option(name: .long, help: "Total ε.") var epsilon: Double
        @Option(name: .long, help: "Total δ.") var delta: Double
        @OptionGroup var options: LedgerOptions

        func run() throws {
            try LedgerCommand.run {
                let ledger = try options.location.open()
                let fingerprint = try csv.map { try ledger.fingerprint(file: $0) }
                guard let id = dataset ?? fingerprint?.datasetID else {
                    throw ValidationError("give a DATASET id, or --csv FILE")
                }
                if let csv, let fingerprint { try ledger.bind(dataset: id, file: fingerprint, displayPath: csv, explicit: true) }
                try ledger.grant(dataset: id, epsilon: epsilon, delta: delta)
                print("granted dataset \(id): ε=\(fmt(epsilon)) δ=\(fmt(delta)) in \(ledger.location)")
            }
        }
    }

    struct Bind: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bind a data file to a dataset although the ledger knows it (its path or content) under another one.",
            discussion: "dpflow refuses a run whose data file is bound to another dataset (a renamed privacy.dataset, a moved or "
                + "grown file would otherwise get a fresh budget). Use this only when the file really is another data set.")
        @Argument(help: "Dataset id.") var dataset: String
        @Option(name: .long, help: "The data file.") var csv: String
        @OptionGroup var options: LedgerOptions

        func run() throws {
            try LedgerCommand.run {
                let ledger = try options.location.open()
                try ledger.bind(dataset: dataset, file: ledger.fingerprint(file: csv), displayPath: csv, explicit: true)
                print("bound \(csv) to dataset \(dataset) in \(ledger.location)")
            }
        }
    }

    struct Reserve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reserve budget for a job (prints the reservation id; exit status 3 if it would exceed the grant).")
        @Argument var dataset: String
        @Option(name: .long) var epsilon: Double
        @Option(name: .long) var delta: Double = 0
        @Option(name: .long) var job: String = "manual"
        @Option(name: .long) var mechanism: String = "manual"
        @Flag(name: .long, help: "After reserving, wait forever (for crash tests).") var hold = false
        @OptionGroup var options: LedgerOptions

        func run() throws {
            try LedgerCommand.run {
                let r = try options.location.open()
                    .reserve(dataset: dataset, job: job, mechanism: mechanism, epsilon: epsilon, delta: delta)
                print("reserved \(r.id)")
                fflush(nil)
                while hold { sleep(3600) }
            }
        }
    }

    struct Commit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Commit a reservation by id.")
        @Argument var id: Int64
        @OptionGroup var options: LedgerOptions

        func run() throws {
            try LedgerCommand.run {
                try options.location.open().commit(id: id)
                print("committed \(id)")
            }
        }
    }
}

private func fmt(_ x: Double) -> String {
    x == 0 ? "0" : String(format: "%.6g", x)
}
