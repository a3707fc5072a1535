import DPPipeline
import PrivateLearning

/// The example pack's stage. A plugin library registers it through the registry its entry point receives
/// (`registry.registerStage`); a program that links it registers it into its `StageRegistry` directly.
public enum ExampleStagePlugin {
    public static func register(into registry: inout PluginRegistry) throws {
        try registry.registerStage(ModelCardStage.definition)
    }
}
