import PrivateLearning

/// The one C entry point of the ExamplePlugin library, compiled into one module with `Plugins/ExamplePlugin` (layer, loss)
/// and `Plugins/ExampleStagePlugin` (a pipeline stage), as a shared object linked against `libDPFlowPluginAPI.so`
/// (`scripts/build-example-plugin.sh`, and the tests), then loaded with `dpflow run --plugin libExamplePluginLibrary.so …`.
@_cdecl("dpflow_plugin_entry")
public func dpflowPluginEntry(_ host: UnsafeMutableRawPointer?) -> Int32 {
    PluginLibraryABI.enter(host) { registry in
        try ExamplePlugin.register(into: &registry)
        try ExampleStagePlugin.register(into: &registry)
    }
}
