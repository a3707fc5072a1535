import ArgumentParser

/// `dpflow batch` (placeholder until its owner implements it).
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "batch", abstract: "Not implemented yet.")
    func run() throws {
        print("dpflow batch: not implemented yet")
        throw ExitCode(2)
    }
}
