// Interim: stage bodies arrive with the dataframe and learning modules.
extension PipelineStage {
    public func run(_ context: inout RunContext) throws {
        throw PipelineError.stageFailed(stage: kind, position: position, reason: "not available in this build")
    }
}
