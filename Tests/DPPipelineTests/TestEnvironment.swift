import DPPipeline

enum TestEnvironment {
    static func make() -> PipelineEnvironment {
        PipelineEnvironment(stages: .standard)
    }
}
