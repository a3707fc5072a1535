/// Everything a stage sees while the pipeline runs. Filled in stage by stage.
public struct RunContext {
    public var directory: String
    public init(directory: String) { self.directory = directory }
}
