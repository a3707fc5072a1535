import ArgumentParser
import Foundation
import PrivateDataFrame

/// `dpflow ledger`: inspect and manage the privacy budget ledger.
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Show and manage the privacy budget ledger (grants, reservations, spends).",
        discussion: """
            The ledger is a SQLite file (default ./dpflow-ledger.sqlite). Each dataset has a granted \
            total (ε, δ); every job reserves its spend before it starts and commits it when done. \
            Reservations of crashed jobs stay charged: budget is never refunded. Spends compose by \
            adding their ε's and their δ's.
            """,
        subcommands: [Show.self, Grant.self, Reserve.self, Commit.self],
        defaultSubcommand: Show.self
    )

    struct LedgerOption: ParsableArguments {
        @Option(name: .long, help: "Path of the ledger file.")
        var ledger: String = BudgetLedger.defaultPath
    }

    /// Exit status when a reservation is refused because it would exceed the grant.
    static let budgetExceededExitCode: Int32 = 3

    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let e as DataFrameError {
            FileHandle.standardError.write(Data((e.description + "\n").utf8))
            if case .budgetExceeded = e { throw ExitCode(budgetExceededExitCode) }
            throw ExitCode.failure
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show grants, totals and every spend.")
        @OptionGroup var options: LedgerOption
        @Flag(name: .long, help: "Print JSON.") var json = false
        @Option(name: .long, help: "Only this dataset.") var dataset: String?

        func run() throws {
            try LedgerCommand.run {
                guard FileManager.default.fileExists(atPath: options.ledger) else {
                    // Do not create a ledger just to show it.
                    FileHandle.standardError.write(Data("no ledger at \(options.ledger); `dpflow ledger grant` creates one\n".utf8))
                    throw ExitCode.failure
                }
                let ledger = try BudgetLedger(path: options.ledger)
                var budgets = try ledger.budgets()
                if let dataset { budgets = budgets.filter { $0.dataset == dataset } }
                let spends = try ledger.spends(dataset: dataset)
                if json {
                    struct Report: Encodable { let ledger: String; let composition: String
                        let datasets: [DatasetBudget]; let spends: [BudgetSpend] }
                    let enc = JSONEncoder()
                    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                    let data = try enc.encode(Report(ledger: options.ledger, composition: "basic (sum of epsilon, sum of delta)",
                                                     datasets: budgets, spends: spends))
                    print(String(decoding: data, as: UTF8.self))
                    return
                }
                print("ledger \(options.ledger) (composition: ε's add, δ's add; reservations are never refunded)")
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

    struct Grant: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the total budget granted for a dataset (may be raised; never below what is charged).")
        @Argument(help: "Dataset id (declared id, or sha256:… of the CSV; see --csv).") var dataset: String?
        @Option(name: .long, help: "Compute the dataset id as the SHA-256 of this CSV file.") var csv: String?
        @Option(name: .long, help: "Total ε.") var epsilon: Double
        @Option(name: .long, help: "Total δ.") var delta: Double
        @OptionGroup var options: LedgerOption

        func run() throws {
            try LedgerCommand.run {
                let id = try resolveDataset(dataset, csv: csv)
                try BudgetLedger(path: options.ledger).grant(dataset: id, epsilon: epsilon, delta: delta)
                print("granted dataset \(id): ε=\(fmt(epsilon)) δ=\(fmt(delta)) in \(options.ledger)")
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
        @OptionGroup var options: LedgerOption

        func run() throws {
            try LedgerCommand.run {
                let r = try BudgetLedger(path: options.ledger)
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
        @OptionGroup var options: LedgerOption

        func run() throws {
            try LedgerCommand.run {
                try BudgetLedger(path: options.ledger).commit(id: id)
                print("committed \(id)")
            }
        }
    }
}

func resolveDataset(_ id: String?, csv: String?) throws -> String {
    switch (id, csv) {
    case let (id?, nil): return id
    case let (nil, csv?): return try BudgetLedger.datasetID(forCSVAt: csv)
    default: throw ValidationError("give either a DATASET id or --csv FILE")
    }
}

private func fmt(_ x: Double) -> String {
    x == 0 ? "0" : String(format: "%.6g", x)
}
