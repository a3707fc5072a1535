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
public func fuzzKerasJSON(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
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
