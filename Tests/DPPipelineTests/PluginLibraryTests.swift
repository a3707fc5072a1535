import Foundation
import PrivateLearning
import Testing
@testable import DPPipeline

/// ExamplePlugin built as a loadable library (`libExamplePluginLibrary.so`, the `ExamplePluginLibrary` product)
/// and loaded with dlopen, as `dpflow run --plugin` does.
@Suite("Plugin libraries")
struct PluginLibraryTests {
    /// ExamplePlugin built as a plugin library (`ExamplePluginLibraryBuild`).
    static func examplePluginLibrary() throws -> String {
        try ExamplePluginLibraryBuild.result.get()
    }

    static func sha256(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }

    @Test("ExamplePlugin loads through its C entry point, registers its plugins and is listed with the file's SHA-256")
    func loadsExamplePlugin() throws {
        let path = try Self.examplePluginLibrary()
        var environment = TestEnvironment.make()
        #expect(throws: PrivateLearningError.self) { try environment.plugins.makeLayer("gated_linear", parameters: ["units": .int(2)]) }
        try environment.loadPluginLibraries([path])
        try environment.loadPluginLibraries([path])   // the same file again: loaded once
        #expect(environment.loadedLibraries.count == 1)
        let loaded = try #require(environment.loadedLibraries.first)
        #expect(loaded.registered == ["layer:gated_linear", "loss:focal_binary_crossentropy", "stage:example_model_card"])
        #expect(environment.stages.definition(named: "example_model_card") != nil)
        #expect(loaded.sha256 == (try Self.sha256(path)))
        let layer = try environment.plugins.makeLayer("gated_linear", parameters: ["units": .int(3)])
        #expect(layer.typeName == "gated_linear")
        #expect(environment.plugins.targetEncoding(ofLoss: "focal_binary_crossentropy") == .binary)
        // The declaration's checks run inside the library's factory: a typo gets a suggestion.
        #expect(throws: PrivateLearningError.unknownParameter(plugin: "gated_linear", parameter: "unit", suggestion: "units")) {
            try environment.plugins.makeLayer("gated_linear", parameters: ["unit": .int(3)])
        }
        #expect(PluginCatalog.text(environment).contains("gated_linear — "))
    }

    @Test("a pipeline's plugins: entry (relative to the file) loads the library; the run uses it and the report lists it")
    func pipelineRunsWithPluginLibrary() throws {
        let dir = Fixtures.temporaryDirectory("plugin-lib")
        try FileManager.default.copyItem(atPath: try Self.examplePluginLibrary(), toPath: dir + "/libExamplePluginLibrary.so")
        let text = Fixtures.validBreastCancer
            .replacingOccurrences(of: "name: test\n", with: "name: test\nplugins: [libExamplePluginLibrary.so]\n")
            .replacingOccurrences(of: "csv: data/breast_cancer.csv", with: "csv: \(Fixtures.data)/breast_cancer.csv")
            .replacingOccurrences(of: "- dense: {units: 8, activation: relu}", with: "- gated_linear: {units: 4}")
            .replacingOccurrences(of: "loss: binary_crossentropy", with: "loss: {focal_binary_crossentropy: {gamma: 2.0}}")
        try text.write(toFile: dir + "/pipeline.yaml", atomically: true, encoding: .utf8)
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let report = try runner.run(file: dir + "/pipeline.yaml",
                                    options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/ledger.sqlite",
                                                        seed: 3, epochsOverride: 1))
        #expect(report.status == "completed")
        #expect(report.training?.layers.contains { $0.hasPrefix("gated_linear") } == true, "\(report.training?.layers ?? [])")
        let library = try #require(report.pluginLibraries?.first)
        #expect(library.path == "libExamplePluginLibrary.so")
        #expect(library.sha256 == (try Self.sha256(dir + "/libExamplePluginLibrary.so")))
        let json = try String(contentsOfFile: dir + "/out/report.json", encoding: .utf8)
        #expect(json.contains("plugin_libraries") && json.contains(library.sha256))
        let html = try String(contentsOfFile: dir + "/out/report.html", encoding: .utf8)
        #expect(html.contains("Plugin libraries") && html.contains(library.sha256))
    }

    @Test("a stage from a plugin library (plugins: in the pipeline) reads the trained model through its typed key and runs in order")
    func pipelineRunsPluginStage() throws {
        let dir = Fixtures.temporaryDirectory("plugin-stage")
        try FileManager.default.copyItem(atPath: try Self.examplePluginLibrary(), toPath: dir + "/libExamplePluginLibrary.so")
        let text = Fixtures.validBreastCancer
            .replacingOccurrences(of: "name: test\n", with: "name: test\nplugins: [libExamplePluginLibrary.so]\n")
            .replacingOccurrences(of: "csv: data/breast_cancer.csv", with: "csv: \(Fixtures.data)/breast_cancer.csv")
            .replacingOccurrences(of: "  - export: {model: model}", with: "  - example_model_card: {file: card}\n  - export: {model: model}")
        try text.write(toFile: dir + "/pipeline.yaml", atomically: true, encoding: .utf8)
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let report = try runner.run(file: dir + "/pipeline.yaml",
                                    options: RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/ledger.sqlite",
                                                        seed: 3, epochsOverride: 1))
        #expect(report.outputs.contains("card.md"), "\(report.outputs)")
        #expect(report.stages.contains { $0.name == "example_model_card" && $0.epsilon == 0 })
        #expect(report.pluginLibraries?.first?.registered.contains("stage:example_model_card") == true)
        let card = try String(contentsOfFile: dir + "/out/card.md", encoding: .utf8)
        #expect(card.contains("| layer | parameters |") && card.contains("| dense | 9 |"), "\(card)")   // last layer: 8·1 + 1

        // Its ordering constraint (before 'export') is checked at its line:column, before any budget.
        let misplaced = text.replacingOccurrences(of: "  - example_model_card: {file: card}\n  - export: {model: model}",
                                                  with: "  - export: {model: model}\n  - example_model_card: {file: card}")
        try misplaced.write(toFile: dir + "/misplaced.yaml", atomically: true, encoding: .utf8)
        let problems = Pipeline.diagnose(file: dir + "/misplaced.yaml", environment: TestEnvironment.make())
        #expect(problems.contains { $0.hasPrefix(dir + "/misplaced.yaml:28:5: error: stage 'example_model_card' must come before every 'export' stage") },
                "\(problems)")
    }

    @Test("a loaded plugin's declared checks reach the pipeline file: an unknown key and a range error at their line:column")
    func pluginParameterErrorsArePositioned() throws {
        var environment = TestEnvironment.make()
        try environment.loadPluginLibraries([try Self.examplePluginLibrary()])
        let text = Fixtures.validBreastCancer
            .replacingOccurrences(of: "csv: data/", with: "csv: \(Fixtures.data)/")
            .replacingOccurrences(of: "- dense: {units: 8, activation: relu}", with: "- gated_linear: {unit: 4}")
            .replacingOccurrences(of: "loss: binary_crossentropy", with: "loss: {focal_binary_crossentropy: {gamma: -1}}")
        do {
            _ = try Pipeline.load(yaml: text, file: "p.yaml", environment: environment)
            Issue.record("accepted")
        } catch let error as PipelineError {
            let message = error.description
            // The library's factory throws PrivateLearningError; the host recognises it (one copy of the type)
            // and places it at the key or the value.
            #expect(message.contains("p.yaml:16:26: error: unknown parameter 'unit' of layer 'gated_linear'. Did you mean 'units'?"), "\(message)")
            #expect(message.contains("error: parameter 'gamma' of loss 'focal_binary_crossentropy' must be a number ≥ 0.0"), "\(message)")
        }
    }

    @Test("a plugins: entry that cannot be loaded is an error at its file:line:column, before any budget")
    func badPluginsEntryIsPositioned() throws {
        let dir = Fixtures.temporaryDirectory("plugin-lib")
        let text = Fixtures.validBreastCancer
            .replacingOccurrences(of: "name: test\n", with: "name: test\nplugins: [missing.so, {a: 1}]\n")
        try text.write(toFile: dir + "/pipeline.yaml", atomically: true, encoding: .utf8)
        let problems = Pipeline.diagnose(file: dir + "/pipeline.yaml", environment: TestEnvironment.make())
        #expect(problems.contains { $0.hasPrefix(dir + "/pipeline.yaml:2:11: error: plugin library 'missing.so': no such file") },
                "\(problems)")
        #expect(problems.contains { $0.hasPrefix(dir + "/pipeline.yaml:2:23: error: 'plugins") }, "\(problems)")
    }

    @Test("a missing file, a file that is not a shared object and a library without the entry point are clear errors")
    func loaderErrors() throws {
        let dir = Fixtures.temporaryDirectory("plugin-lib")
        var registry = PluginRegistry()
        #expect(throws: PluginLibraryError.notFound(path: "nope.so")) {
            _ = try PluginLibraryLoader.load(path: "nope.so", relativeTo: dir, into: &registry)
        }
        try "not a library".write(toFile: dir + "/text.so", atomically: true, encoding: .utf8)
        do {
            _ = try PluginLibraryLoader.load(path: "text.so", relativeTo: dir, into: &registry)
            Issue.record("a text file loaded")
        } catch let error as PluginLibraryError {
            guard case .notLoadable(let path, _) = error else { Issue.record("\(error)"); return }
            #expect(path == "text.so")
        }
        let libm = ["/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6",
                    "/lib/aarch64-linux-gnu/libm.so.6", "/usr/lib64/libm.so.6"].first { FileManager.default.fileExists(atPath: $0) }
        let other = try #require(libm)
        #expect(throws: PluginLibraryError.noEntryPoint(path: other)) {
            _ = try PluginLibraryLoader.load(path: other, into: &registry)
        }
        #expect(registry.layerNames.isEmpty)
    }
}

/// The handshake a plugin's entry point performs (`PluginLibraryABI.enter`), driven with hand-made blocks.
@Suite("Plugin library handshake")
struct PluginHandshakeTests {
    static func call(version: UInt32 = PluginLibraryABI.apiVersion, fingerprint: String = PluginLibraryABI.buildFingerprint,
                     magic: UInt32 = PluginLibraryABI.handshakeMagic, registry: inout PluginRegistry,
                     register: (inout PluginRegistry) throws -> Void) -> (Int32, String) {
        let block = UnsafeMutableRawPointer.allocate(byteCount: 40, alignment: 8)
        defer { block.deallocate() }
        let message = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        message.initialize(repeating: 0, count: 256)
        defer { message.deallocate() }
        let cFingerprint = strdup(fingerprint)
        defer { free(cFingerprint) }
        let status = withUnsafeMutablePointer(to: &registry) { r -> Int32 in
            block.storeBytes(of: magic, toByteOffset: 0, as: UInt32.self)
            block.storeBytes(of: version, toByteOffset: 4, as: UInt32.self)
            block.storeBytes(of: UnsafePointer(cFingerprint), toByteOffset: 8, as: UnsafePointer<CChar>?.self)
            block.storeBytes(of: UnsafeMutableRawPointer(r), toByteOffset: 16, as: UnsafeMutableRawPointer?.self)
            block.storeBytes(of: message, toByteOffset: 24, as: UnsafeMutablePointer<UInt8>?.self)
            block.storeBytes(of: 256, toByteOffset: 32, as: Int.self)
            return PluginLibraryABI.enter(block, register: register)
        }
        return (status, String(cString: message))
    }

    static func registerOne(_ registry: inout PluginRegistry) throws {
        try registry.register(PluginDeclaration(optimizer: "noop", summary: "test"), optimizer: { _ in
            throw PrivateLearningError.invalidConfiguration("not built in this test")
        })
    }

    @Test("matching version and fingerprint register; the message buffer stays empty")
    func matching() {
        var registry = PluginRegistry()
        let (status, message) = Self.call(registry: &registry, register: Self.registerOne)
        #expect(status == 0 && message.isEmpty)
        #expect(registry.optimizerNames == ["noop"])
    }

    @Test("another plugin-API version is refused with a message, before anything is registered")
    func versionMismatch() {
        var registry = PluginRegistry()
        let (status, message) = Self.call(version: PluginLibraryABI.apiVersion + 1, registry: &registry, register: Self.registerOne)
        #expect(status == PluginLibraryABI.Status.apiVersionMismatch.rawValue)
        #expect(message.contains("plugin API \(PluginLibraryABI.apiVersion)") && message.contains("rebuild"))
        #expect(registry.optimizerNames.isEmpty)
    }

    @Test("another toolchain or type layout (fingerprint) is refused with both fingerprints named")
    func fingerprintMismatch() {
        var registry = PluginRegistry()
        let (status, message) = Self.call(fingerprint: "dpflow-plugin-api 2; swift 9.9; sizes 1", registry: &registry,
                                          register: Self.registerOne)
        #expect(status == PluginLibraryABI.Status.fingerprintMismatch.rawValue)
        #expect(message.contains("swift 9.9") && message.contains(PluginLibraryABI.buildFingerprint))
        #expect(registry.optimizerNames.isEmpty)
    }

    @Test("a wrong magic or a null block is refused without reading further; a throwing registration is reported")
    func malformedAndThrowing() {
        var registry = PluginRegistry()
        #expect(Self.call(magic: 1, registry: &registry, register: Self.registerOne).0 == PluginLibraryABI.Status.malformedHandshake.rawValue)
        #expect(PluginLibraryABI.enter(nil, register: Self.registerOne) == PluginLibraryABI.Status.malformedHandshake.rawValue)
        let (status, message) = Self.call(registry: &registry) { r in
            try Self.registerOne(&r)
            try Self.registerOne(&r)   // duplicate
        }
        #expect(status == PluginLibraryABI.Status.registrationFailed.rawValue)
        #expect(message.contains("'noop' is already registered"))
    }
}

/// `--plugin` and `dpflow plugin new` through the executable.
@Suite("Plugin command line")
struct PluginCommandLineTests {
    @Test("--plugin loads a library for plugins and validate; a missing file is exit 1 naming it")
    func pluginOption() throws {
        let library = try PluginLibraryTests.examplePluginLibrary()
        let dir = Fixtures.temporaryDirectory("plugin-cli")
        let listed = try CommandLineTests.dpflow(["plugins", "--plugin", library], in: dir)
        #expect(listed.code == 0)
        #expect(listed.stdout.contains("gated_linear — ") && listed.stdout.contains("[targets: binary]"))
        #expect(listed.stderr.contains("sha256 \(try PluginLibraryTests.sha256(library))"))
        let text = Fixtures.validBreastCancer
            .replacingOccurrences(of: "csv: data/", with: "csv: \(Fixtures.data)/")
            .replacingOccurrences(of: "- dense: {units: 8, activation: relu}", with: "- gated_linear: {units: 4}")
        try text.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        #expect(try CommandLineTests.dpflow(["validate", "p.yaml"], in: dir).code == 1)   // unknown layer without the library
        #expect(try CommandLineTests.dpflow(["validate", "--plugin", library, "p.yaml"], in: dir).code == 0)
        let missing = try CommandLineTests.dpflow(["plugins", "--plugin", "nope.so"], in: dir)
        #expect(missing.code == 1 && missing.stderr.contains("plugin library 'nope.so': no such file"))
    }

    @Test("dpflow batch --plugin passes the library to every job (absolute path); each job's report lists it")
    func batchPassesPlugins() throws {
        let library = try PluginLibraryTests.examplePluginLibrary()
        let dir = Fixtures.temporaryDirectory("plugin-batch")
        try FileManager.default.createDirectory(atPath: dir + "/jobs", withIntermediateDirectories: true)
        let text = Fixtures.validBreastCancer
            .replacingOccurrences(of: "csv: data/", with: "csv: \(Fixtures.data)/")
            .replacingOccurrences(of: "- dense: {units: 8, activation: relu}", with: "- gated_linear: {units: 4}")
        try text.write(toFile: dir + "/jobs/g.yaml", atomically: true, encoding: .utf8)
        _ = try CommandLineTests.initLedger(dir + "/l.sqlite")
        // A relative --plugin path: the jobs run as child processes and still find it.
        try FileManager.default.copyItem(atPath: library, toPath: dir + "/lib.so")
        let result = try CommandLineTests.dpflow(["batch", dir + "/jobs", "--output", dir + "/out", "--ledger", dir + "/l.sqlite",
                                                  "--epochs", "1", "--plugin", "lib.so"], in: dir)
        #expect(result.code == 0, "\(result.stderr)")
        let report = try String(contentsOfFile: dir + "/out/g/report.json", encoding: .utf8)
        let digest = try PluginLibraryTests.sha256(dir + "/lib.so")
        #expect(report.contains("plugin_libraries") && report.contains(digest))
    }

    @Test("dpflow plugin new writes a package against this checkout; a bad name is a usage error")
    func scaffold() throws {
        let dir = Fixtures.temporaryDirectory("plugin-new")
        let made = try CommandLineTests.dpflow(["plugin", "new", "demo-pack", "--dpflow", Fixtures.repositoryRoot], in: dir)
        #expect(made.code == 0, "\(made.stderr)")
        let manifest = try String(contentsOfFile: dir + "/demo-pack/Package.swift", encoding: .utf8)
        #expect(manifest.contains(".package(path: \"\(Fixtures.repositoryRoot)\")"))
        #expect(manifest.contains(".product(name: \"DPFlowPluginAPI\""))
        #expect(manifest.contains(".library(name: \"DemoPackPlugin\", type: .dynamic"))
        for file in ["Sources/DemoPack/FeatureScale.swift", "Sources/DemoPack/BrierLoss.swift", "Sources/DemoPack/ParameterCountStage.swift", "Sources/DemoPackLibrary/EntryPoint.swift",
                     "Tests/DemoPackTests/DemoPackTests.swift", "pipelines/demo_pack.yaml", "pipelines/data/synthetic.csv"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/demo-pack/" + file), "missing \(file)")
        }
        let csv = try String(contentsOfFile: dir + "/demo-pack/pipelines/data/synthetic.csv", encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 401)
        #expect(try CommandLineTests.dpflow(["plugin", "new", "demo-pack", "--dpflow", Fixtures.repositoryRoot], in: dir).code == 1)
        #expect(try CommandLineTests.dpflow(["plugin", "new", "Bad Name"], in: dir).code == 2)
    }
}
