import CFuzzerDriver
import Foundation
import KerasInterop
import PrivateLearning
import StandardPlugins

// The Keras model JSON reader, then model construction for small models (without weights).
let registry: PluginRegistry = {
    var r = PluginRegistry()
    try! StandardPlugins.register(into: &r)
    return r
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKerasJSON(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let bytes = pointer ?? (size == 0 ? UnsafePointer(bitPattern: 1) : nil) else { return 0 }
    let data = Data(bytes: bytes, count: size)
    guard let spec = try? KerasModelSpec(json: data, file: "fuzz.json", layerNames: Set(registry.layerNames)) else { return 0 }
    // Construction allocates the declared parameters; huge layers are the importer's resource check's
    // business, so only small declared sizes are built here.
    func isSmall(_ value: KerasConfigValue) -> Bool {
        switch value {
        case .int(let n): n.magnitude <= 4096
        case .double(let d): !(abs(d) > 4096)
        case .list(let items): items.allSatisfy(isSmall)
        case .dictionary(let members): members.values.allSatisfy(isSmall)
        default: true
        }
    }
    let small = spec.inputShape.allSatisfy { $0 >= 0 && $0 <= 4096 }
        && spec.layers.allSatisfy { ($0.inputShape ?? []).allSatisfy { $0 >= 0 && $0 <= 4096 } && $0.parameters.values.allSatisfy(isSmall) }
    if small { _ = try? KerasModelImporter.makeModel(spec: spec, weights: nil, registry: registry, seed: 0) }
    return 0
}

/// The executable's entry point (SwiftPM aliases `main` to it): runs libFuzzer's driver on `fuzzKerasJSON`.
@_cdecl("fuzz_keras_json_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { fuzzKerasJSON($0, $1) }
}
