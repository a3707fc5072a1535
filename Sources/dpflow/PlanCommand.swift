import ArgumentParser

/// `dpflow plan` (placeholder until its owner implements it).
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Not implemented yet.")
    func run() throws {
        print("dpflow plan: not implemented yet")
        throw ExitCode(2)
    }
}
