import ArgumentParser

/// `dpflow run` (placeholder until its owner implements it).
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Not implemented yet.")
    func run() throws {
        print("dpflow run: not implemented yet")
        throw ExitCode(2)
    }
}
