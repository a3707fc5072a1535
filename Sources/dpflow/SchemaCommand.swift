import ArgumentParser

/// `dpflow schema` (placeholder until its owner implements it).
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schema", abstract: "Not implemented yet.")
    func run() throws {
        print("dpflow schema: not implemented yet")
        throw ExitCode(2)
    }
}
