import PrivateLearning

/// The one C entry point of the ExamplePlugin library, compiled into the same module as `Plugins/ExamplePlugin` (a shared
/// object linked against `libDPFlowPluginAPI.so`: `scripts/build-example-plugin.sh`, and the tests), then loaded
/// with `dpflow run --plugin libExamplePluginLibrary.so …`.
@_cdecl("dpflow_plugin_entry")
public func dpflowPluginEntry(_ host: UnsafeMutableRawPointer?) -> Int32 {
    PluginLibraryABI.enter(host) { registry in try ExamplePlugin.register(into: &registry) }
}
