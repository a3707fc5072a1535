import Foundation

/// Builds `Plugins/ExamplePlugin` (+ `Plugins/ExamplePluginLibrary/EntryPoint.swift`) into a plugin library the way a
/// plugin package does: compiled against dpflow's modules and **linked against `libDPFlowPluginAPI.so`** (the
/// `DPFlowPluginAPI` dynamic product), so that its references to PrivateLearning bind to the copy inside the loading
/// executable. (A SwiftPM dynamic product of this package would embed its own copy of PrivateLearning: Swift gives
/// public symbols protected visibility on ELF, so that copy could never be shared.) Once per test process.
enum ExamplePluginLibraryBuild {
    /// The folder of the test executable: `.build/<triple>/debug`, holding `Modules/` and `libDPFlowPluginAPI.so`.
    static var buildFolder: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (exe as NSString).deletingLastPathComponent
    }

    /// Path of the built library, or the reason it could not be built.
    static let result: Result<String, BuildFailure> = build()

    struct BuildFailure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func build() -> Result<String, BuildFailure> {
        let root = Fixtures.repositoryRoot
        let folder = buildFolder
        guard FileManager.default.fileExists(atPath: folder + "/libDPFlowPluginAPI.so") else {
            return .failure(BuildFailure(description: "\(folder)/libDPFlowPluginAPI.so missing: run swift build --build-tests"))
        }
        let output = Fixtures.temporaryDirectory("example-plugin") + "/libExamplePluginLibrary.so"
        var sources: [String] = []
        // The layer and loss (Plugins/ExamplePlugin) and the stage (Plugins/ExampleStagePlugin), one module.
        for folder in ["Plugins/ExamplePlugin", "Plugins/ExampleStagePlugin"] {
            sources += ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + folder)) ?? [])
                .filter { $0.hasSuffix(".swift") }.sorted().map { root + "/" + folder + "/" + $0 }
        }
        var arguments = ["swiftc", "-emit-library", "-swift-version", "6", "-module-name", "ExamplePlugin", "-o", output]
        arguments += sources + [root + "/Plugins/ExamplePluginLibrary/EntryPoint.swift"]
        arguments += ["-I", folder + "/Modules", "-L", folder, "-lDPFlowPluginAPI", "-Xlinker", "-rpath", "-Xlinker", folder]
        // The stage imports DPPipeline, whose dependencies include C modules: every module map of the build.
        for map in moduleMaps(root: root, buildFolder: folder) {
            arguments += ["-Xcc", "-fmodule-map-file=\(map)", "-Xcc", "-I" + (map as NSString).deletingLastPathComponent]
        }
        let cflags = run(["pkg-config", "--cflags", "openblas"])
        for flag in cflags.output.split(separator: " ").map(String.init) where cflags.status == 0 && flag.hasPrefix("-I") {
            arguments += ["-Xcc", flag.trimmingCharacters(in: .whitespacesAndNewlines)]
        }
        let (status, text) = run(arguments)
        guard status == 0 else { return .failure(BuildFailure(description: "swiftc failed (\(status)):\n\(text)")) }
        return .success(output)
    }

    /// Module maps of the C modules the plugin's imports reach: this package's system-library targets, the ones SwiftPM
    /// generated in the build folder, and those of the checked-out dependencies.
    static func moduleMaps(root: String, buildFolder: String) -> [String] {
        let fm = FileManager.default
        var maps: [String] = []
        for name in ((try? fm.contentsOfDirectory(atPath: root + "/Sources")) ?? []).sorted() {
            let path = root + "/Sources/" + name + "/module.modulemap"
            if fm.fileExists(atPath: path) { maps.append(path) }
        }
        for name in ((try? fm.contentsOfDirectory(atPath: buildFolder)) ?? []).sorted() where name.hasSuffix(".build") {
            let path = buildFolder + "/" + name + "/module.modulemap"
            if fm.fileExists(atPath: path) { maps.append(path) }
        }
        let checkouts = root + "/.build/checkouts"
        if let walker = fm.enumerator(atPath: checkouts) {
            for case let relative as String in walker {
                if relative.hasSuffix("/.git") || relative == ".git" { walker.skipDescendants(); continue }
                guard relative.hasSuffix("include/module.modulemap") || (relative.hasSuffix("/module.modulemap") && relative.contains("/Sources/")) else { continue }
                maps.append(checkouts + "/" + relative)
            }
        }
        return maps
    }
}

