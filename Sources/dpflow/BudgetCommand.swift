import ArgumentParser

/// `dpflow budget` (placeholder until its owner implements it).
struct BudgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "budget", abstract: "Not implemented yet.")
    func run() throws {
        print("dpflow budget: not implemented yet")
        throw ExitCode(2)
    }
}
