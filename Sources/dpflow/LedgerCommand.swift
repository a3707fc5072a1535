import ArgumentParser

/// `dpflow ledger` (placeholder until its owner implements it).
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ledger", abstract: "Not implemented yet.")
    func run() throws {
        print("dpflow ledger: not implemented yet")
        throw ExitCode(2)
    }
}
