import Foundation
import Testing
@testable import DPPipeline
import PrivateDataFrame
import PrivateLearning

@Suite("Run context drops private data no later stage needs")
struct RunContextMemoryTests {
    @Test func framesGoOnceNoLaterStageDeclaresTheirArtifact() throws {
        let pipeline = try Pipeline.load(file: Fixtures.pipelines + "/breast_cancer.yaml", environment: TestEnvironment.make())
        let plan = try pipeline.plan(datasetID: { _ in "unused" })
        #expect(pipeline.spec.stages.map(\.kind) == ["load", "select", "split", "train", "predict", "evaluate", "export"])
        let needed = PipelineRunner.neededAfter(pipeline.spec.stages)
        #expect(needed[0] == [.data, .selection, .model, .split, .predictions])
        #expect(needed[3] == [.model, .split, .predictions])
        #expect(needed[6] == [])

        let csv = Fixtures.temporaryDirectory("run-context-memory") + "/x.csv"
        try "x\n1\n2\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let frame = try PrivateDataFrame.load(csv: csv, schema: Schema(columns: ["x": .number(min: 0, max: 3)]), datasetID: "m")
        var context = RunContext(pipeline: pipeline, plan: plan,
                                 options: RunOptions(outputDirectory: Fixtures.temporaryDirectory("run-context-out"), ledgerPath: "unused"),
                                 log: RunLog(events: nil))
        context.loadedFrame = frame
        context.frame = frame
        context.trainFrame = frame
        context.testFrame = frame
        context.predictions = Tensor(zeros: [2, 1])
        context.testLabels = Tensor(zeros: [2, 1])
        func held() -> [Bool] {
            [context.loadedFrame != nil, context.frame != nil, context.trainFrame != nil, context.testFrame != nil,
             context.predictions != nil, context.testLabels != nil]
        }
        // After load, select and split everything is still needed (split hashes the loaded rows; train reads the part).
        for index in 0...2 {
            context.dropData(notIn: needed[index])
            #expect(held() == [true, true, true, true, true, true])
        }
        // After train: the loaded frame and the selection go; the parts stay for predict.
        context.dropData(notIn: needed[3])
        #expect(held() == [false, false, true, true, true, true])
        // After predict: the training part goes; evaluate scores the test part.
        context.dropData(notIn: needed[4])
        #expect(held() == [false, false, false, true, true, true])
        // After evaluate nothing private is left for export.
        context.dropData(notIn: needed[5])
        #expect(held() == [false, false, false, false, false, false])
    }
}
