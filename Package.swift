// swift-tools-version:6.0
// dpflow: differentially private training of neural networks, driven by pipeline files.
import PackageDescription

// Executables that load plugin libraries (`--plugin`) export their symbols, so that a plugin's references to
// PrivateLearning & co. bind to the executable's own copy: one PluginRegistry, one Layer protocol, one
// runtime type per dpflow type in the process (see docs/plugins.md).
let exportsSymbolsToPluginLibraries: [LinkerSetting] = [.unsafeFlags(["-Xlinker", "--export-dynamic"], .when(platforms: [.linux]))]

let package = Package(
    name: "dpflow",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "PrivacyAccounting", targets: ["PrivacyAccounting"]),
        .library(name: "PrivateLearning", targets: ["PrivateLearning"]),
        .library(name: "StandardPlugins", targets: ["StandardPlugins"]),
        .library(name: "KerasInterop", targets: ["KerasInterop"]),
        .library(name: "BudgetLedgers", targets: ["BudgetLedgers"]),
        .library(name: "PrivateDataFrame", targets: ["PrivateDataFrame"]),
        .library(name: "DPPipeline", targets: ["DPPipeline"]),
        // What plugin packages link against: one shared object with the plugin API (PrivateLearning, the standard
        // plugins, and DPPipeline for stages). At load time its symbols bind to the copy inside the `dpflow` executable (exported), so host and
        // plugin share one copy of every type (docs/plugins.md).
        .library(name: "DPFlowPluginAPI", type: .dynamic, targets: ["PrivateLearning", "StandardPlugins", "DPPipeline"]),
        .executable(name: "dpflow", targets: ["dpflow"]),
        .executable(name: "dpflow-bench", targets: ["dpflow-bench"]),
        .executable(name: "dpflow-mpi-check", targets: ["dpflow-mpi-check"]),
        .executable(name: "ledger-bench", targets: ["ledger-bench"]),
        .executable(name: "accounting-bench", targets: ["accounting-bench"]),
        .executable(name: "csv-bench", targets: ["csv-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // System libraries (Debian: libopenblas-dev, libcsv-dev, libfftw3-dev) and getrandom(2).
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CCSV", providers: [.apt(["libcsv-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CSystemRandom"),
        .systemLibrary(name: "CGzip", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),  // gunzip of IDX files

        // Layer 1: accounting (no dependencies on the rest of dpflow).
        .target(name: "PrivacyAccounting", dependencies: ["CFFTW"]),

        // Layer 2: learning (tensors, plugin protocols, Sequential, DP-SGD) and its plugin packs.
        .target(name: "PrivateLearning", dependencies: [
            "CBLAS", "CSystemRandom", "PrivacyAccounting",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),   // AES-256-CTR keystream for DP noise (BoringSSL, AES-NI)
        ]),
        .target(name: "StandardPlugins", dependencies: ["PrivateLearning"], path: "Plugins/StandardPlugins"),
        .target(name: "ExamplePlugin", dependencies: ["PrivateLearning"], path: "Plugins/ExamplePlugin"),
        .target(name: "KerasInterop", dependencies: [
            "PrivateLearning", "StandardPlugins",
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),

        // Layer 3: the budget ledger (one protocol; SQLite and PostgreSQL stores), data and audit.
        .target(name: "BudgetLedgers", dependencies: [
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "PrivateDataFrame", dependencies: [
            "CCSV", "CGzip", "CFFTW", "PrivateLearning", "PrivacyAccounting", "CSystemRandom", "BudgetLedgers",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "PrivacyAudit", dependencies: ["PrivateLearning", "PrivacyAccounting"]),

        // Data-parallel runs under mpirun: Open MPI is dlopen'ed only then (nothing to link for one process).
        .target(name: "DataParallel", dependencies: ["PrivateLearning"]),
        .executableTarget(name: "dpflow-mpi-check", dependencies: ["DataParallel", "PrivateLearning", "StandardPlugins"]),

        // Layer 4: pipelines; layer 5: the command-line tool.
        .target(name: "DPPipeline", dependencies: [
            "BudgetLedgers", "PrivateDataFrame", "PrivateLearning", "StandardPlugins", "KerasInterop", "PrivacyAccounting",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),   // SHA-256 of loaded plugin libraries
        ]),
        // Stages written as plugins against DPPipeline's public stage API (layer 4½: above DPPipeline, below the CLI).
        .target(name: "AuditStage", dependencies: ["DPPipeline", "PrivacyAudit", "PrivateDataFrame", "PrivateLearning"],
                path: "Plugins/AuditStage"),
        .target(name: "ExampleStagePlugin", dependencies: ["DPPipeline", "PrivateLearning"], path: "Plugins/ExampleStagePlugin"),
        .executableTarget(name: "dpflow", dependencies: [
            "DPPipeline", "AuditStage", "PrivacyAccounting", "PrivateDataFrame", "BudgetLedgers", "DataParallel", "PrivateLearning",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: exportsSymbolsToPluginLibraries),
        .executableTarget(name: "dpflow-bench", dependencies: [
            "PrivateLearning", "StandardPlugins", "PrivacyAccounting",
        ]),

        .executableTarget(name: "accounting-bench", dependencies: ["PrivacyAccounting"]),
        .executableTarget(name: "ledger-bench", dependencies: ["BudgetLedgers"]),
        .executableTarget(name: "csv-bench", dependencies: ["PrivateDataFrame"]),
        .executableTarget(name: "audit-bench", dependencies: ["PrivacyAudit", "PrivateLearning", "StandardPlugins", "PrivacyAccounting"]),

        // Tests.
        .target(name: "DPTestSupport", dependencies: ["PrivateLearning"], path: "Tests/DPTestSupport"),
        .testTarget(name: "PrivacyAccountingTests", dependencies: ["PrivacyAccounting"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "PrivateLearningTests", dependencies: ["PrivateLearning", "StandardPlugins", "ExamplePlugin", "DPTestSupport"]),
        .testTarget(name: "KerasInteropTests", dependencies: ["KerasInterop", "DPTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "BudgetLedgersTests", dependencies: [
            "BudgetLedgers",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        .testTarget(name: "DataParallelTests", dependencies: ["DataParallel"]),
        .testTarget(name: "PrivateDataFrameTests", dependencies: ["PrivateDataFrame", "StandardPlugins", "DPTestSupport"]),
        .testTarget(name: "DPPipelineTests", dependencies: ["DPPipeline", "AuditStage", "DPTestSupport"],
                    exclude: ["Snapshots"],  // read through #filePath, re-recorded by the tests
                    linkerSettings: exportsSymbolsToPluginLibraries),
        .testTarget(name: "PrivacyAuditTests", dependencies: ["PrivacyAudit", "StandardPlugins", "DPTestSupport"]),
    ]
)
