// swift-tools-version:6.0
// libFuzzer targets for dpflow's parsers, kept out of the main build (fuzz-only compiler flags).
// Build and run them with `scripts/fuzz.sh [SECONDS]` from the repository root.
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, which is whatever the clone is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let dpflow = root.lastPathComponent.lowercased()

func fuzzTarget(_ name: String, _ folder: String, _ products: [String]) -> Target {
    .executableTarget(name: name, dependencies: ["CFuzzerDriver"] + products.map { .product(name: $0, package: dpflow) },
                      path: "Sources/\(folder)")
}

let package = Package(
    name: "dpflow-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "CFuzzerDriver"),
        fuzzTarget("fuzz-csv", "FuzzCSV", ["PrivateDataFrame"]),
        fuzzTarget("fuzz-pipeline", "FuzzPipeline", ["DPPipeline"]),
        fuzzTarget("fuzz-npz", "FuzzNpz", ["KerasInterop"]),
        fuzzTarget("fuzz-keras-json", "FuzzKerasJSON", ["KerasInterop", "StandardPlugins", "PrivateLearning"]),
        fuzzTarget("fuzz-idx", "FuzzIDX", ["PrivateDataFrame"]),
    ]
)
