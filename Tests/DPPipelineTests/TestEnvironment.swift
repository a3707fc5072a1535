import DPPipeline

enum TestEnvironment {
    static func make() -> PipelineEnvironment {
        try! PipelineEnvironment.standard()
    }
}
