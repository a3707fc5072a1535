import Testing
@testable import DPPipeline
import PrivacyAccounting
import PrivateLearning

/// Issue 12, class 1, in pipelines: absurd sizes are validation errors at the offending line, never
/// a trap or an allocation failure.
@Suite("Pipeline resource limits and checked step counts")
struct PipelineResourceLimitTests {
    static func diagnostics(_ yaml: String) -> [String]? {
        do {
            let pipeline = try Pipeline.load(yaml: yaml, file: "t.yaml", directory: Fixtures.pipelines,
                                             environment: TestEnvironment.make())
            _ = try pipeline.plan(datasetID: { _ in "test" })
            return nil
        } catch let PipelineError.invalidPipeline(list) {
            return list.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    @Test("units: 1000000000 is refused at validate with the layer's position")
    func billionUnits() {
        let yaml = Fixtures.validBreastCancer.replacingOccurrences(of: "- dense: {units: 8", with: "- dense: {units: 1000000000")
        let messages = Self.diagnostics(yaml) ?? []
        #expect(messages.contains { $0.hasPrefix("t.yaml:16:") && $0.contains("units") && $0.contains("1000000000") }, "\(messages)")
    }

    @Test("epochs: 2⁶³ − 1 is an error, not an overflow trap")
    func hugeEpochs() {
        let yaml = Fixtures.validBreastCancer.replacingOccurrences(of: "epochs: 2", with: "epochs: 9223372036854775807")
        let messages = Self.diagnostics(yaml)
        #expect(messages?.isEmpty == false, "the run must be refused")
    }

    @Test("TrainStage.steps uses checked arithmetic")
    func stepsChecked() throws {
        #expect(try TrainStage.steps(examples: 455, batchSize: 32, epochs: 30) == 450)
        #expect(throws: PrivacyAccountingError.self) {
            _ = try TrainStage.steps(examples: 455, batchSize: 32, epochs: Int.max)
        }
        #expect(throws: PrivacyAccountingError.self) {
            _ = try TrainStage.steps(examples: Int.max, batchSize: 1, epochs: 2)
        }
    }
}

/// A third-party layer that subtracts the batch mean and does not declare `mixesExamples`.
private final class CenteringPlugin: Layer {
    let typeName = "centering"
    var configuration: PluginParameters { [:] }
    var parameters: [Tensor] = []
    func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] { inputShape }
    func forward(_ input: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        var out = input
        for j in 0..<input.columns {
            var mean: Float = 0
            for i in 0..<input.rows { mean += input[i, j] }
            mean /= Float(max(input.rows, 1))
            for i in 0..<input.rows { out[i, j] -= mean }
        }
        return (out, ())
    }
    func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor { outputGradient }
    func parameterGradients(outputGradient: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] { [] }
}

@Suite("Pipelines check example isolation of third-party layers")
struct PipelineMixingCheckTests {
    @Test("a third-party layer that mixes examples without declaring it is refused at its position")
    func undeclaredMixerRefused() throws {
        var environment = TestEnvironment.make()
        try environment.plugins.registerLayer("centering") { _ in CenteringPlugin() }
        let yaml = Fixtures.validBreastCancer.replacingOccurrences(
            of: "- dense: {units: 1, activation: sigmoid}", with: "- centering: {}\n        - dense: {units: 1, activation: sigmoid}")
        var messages: [String] = []
        do {
            _ = try Pipeline.load(yaml: yaml, file: "t.yaml", directory: Fixtures.pipelines, environment: environment)
        } catch let PipelineError.invalidPipeline(list) {
            messages = list.map(\.description)
        }
        #expect(messages.count == 1)
        #expect(messages.first?.hasPrefix("t.yaml:17:11: error: layers[1] 'centering' mixes examples within a batch (changing one example's input changed other examples' outputs") == true,
                "\(messages)")
    }
}
