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
        #expect(messages.contains { $0.hasPrefix("t.yaml:15:11: error: layers[0] (dense): model too large") }, "\(messages)")
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
