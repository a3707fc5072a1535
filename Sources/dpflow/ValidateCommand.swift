import ArgumentParser

/// `dpflow validate` (placeholder until its owner implements it).
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "Not implemented yet.")
    func run() throws {
        print("dpflow validate: not implemented yet")
        throw ExitCode(2)
    }
}
