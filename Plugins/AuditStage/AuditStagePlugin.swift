import DPPipeline

/// Registers the `audit` stage. The dpflow CLI registers it with the standard set (`CLIEnvironment`); a program
/// that builds its own environment calls `AuditStagePlugin.register(into: &environment.stages)`.
public enum AuditStagePlugin {
    public static func register(into stages: inout StageRegistry) throws {
        try stages.register(AuditStage.definition)
    }
}
