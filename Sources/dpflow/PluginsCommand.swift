import ArgumentParser

/// `dpflow plugins` (placeholder until its owner implements it).
struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plugins", abstract: "Not implemented yet.")
    func run() throws {
        print("dpflow plugins: not implemented yet")
        throw ExitCode(2)
    }
}
