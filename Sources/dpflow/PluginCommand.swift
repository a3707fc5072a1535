import ArgumentParser
import Foundation

/// `dpflow plugin new NAME`: scaffolds a plugin package.
struct PluginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin", abstract: "Create plugin packages.", subcommands: [PluginNewCommand.self])
}

/// `dpflow plugin new NAME [--dpflow PATH] [--directory DIR]`.
struct PluginNewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Scaffold a plugin package: a layer with a fast norm path, a loss, tests, the library entry point, a sample pipeline.",
        discussion: "Then: cd NAME && swift build && dpflow run --plugin .build/debug/lib<Name>Plugin.so pipelines/<name>.yaml")

    @Argument(help: "Package name: a lower-case letter, then a–z, 0–9, '-' or '_'.")
    var name: String

    @Option(help: "The dpflow checkout the package depends on (default: the one this dpflow was built from).")
    var dpflow: String?

    @Option(help: "Folder to create the package in (default: ./NAME).")
    var directory: String?

    func validate() throws {
        guard PluginTemplate.isValidName(name) else {
            throw ValidationError("'\(name)' is not a valid package name: use a lower-case letter, then a–z, 0–9, '-' or '_' (≤ 40)")
        }
    }

    func run() throws {
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : (cwd as NSString).appendingPathComponent(p) }
        guard let checkout = dpflow.map(absolute) ?? Self.checkoutOfThisExecutable() else {
            printError("error: cannot tell which dpflow checkout this executable was built from; pass --dpflow PATH")
            throw ExitCode(1)
        }
        guard Self.isDPFlowCheckout(checkout) else {
            printError("error: '\(checkout)' is not a dpflow checkout (no Package.swift with the DPFlowPluginAPI product)")
            throw ExitCode(1)
        }
        let target = absolute(directory ?? name)
        if FileManager.default.fileExists(atPath: target) {
            printError("error: '\(target)' exists; choose another name or --directory")
            throw ExitCode(1)
        }
        let template = PluginTemplate(name: name, dpflowPath: (checkout as NSString).standardizingPath)
        do {
            for (path, text) in template.files {
                let file = (target as NSString).appendingPathComponent(path)
                try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                try text.write(toFile: file, atomically: true, encoding: .utf8)
            }
        } catch {
            printError("error: cannot write the package: \(error)")
            throw ExitCode(4)
        }
        print("created \(target)")
        print("  cd \(directory ?? name) && swift build && swift test")
        print("  dpflow run --plugin .build/debug/lib\(template.module)Plugin.so pipelines/\(template.snake).yaml --output runs/\(template.snake)")
    }

    /// The checkout whose `.build/…/dpflow` is running: the nearest ancestor folder that is a dpflow checkout.
    static func checkoutOfThisExecutable() -> String? {
        var folder = (CLIEnvironment.executablePath as NSString).deletingLastPathComponent
        while folder != "/" && !folder.isEmpty {
            if isDPFlowCheckout(folder) { return folder }
            folder = (folder as NSString).deletingLastPathComponent
        }
        return nil
    }

    static func isDPFlowCheckout(_ folder: String) -> Bool {
        guard let manifest = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent("Package.swift")),
              let text = String(data: manifest, encoding: .utf8) else { return false }
        return text.contains("name: \"dpflow\"") && text.contains(".library(name: \"DPFlowPluginAPI\"")
    }
}
