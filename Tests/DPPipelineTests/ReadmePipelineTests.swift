import Foundation
import Testing
@testable import DPPipeline

/// The README's pipeline examples are real: every ```yaml block of README.md that is a whole
/// pipeline (it has `stages:`) validates, plans within its own budget and runs end to end
/// (2 epochs, seeded). Paths in them are relative to `pipelines/`, like the shipped examples.
@Suite("README pipelines")
struct ReadmePipelineTests {
    static let blocks: [String] = {
        let text = (try? String(contentsOfFile: Fixtures.repositoryRoot + "/README.md", encoding: .utf8)) ?? ""
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil {
                if line.hasPrefix("```yaml") { current = [] }
            } else if line.hasPrefix("```") {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current!.append(line)
            }
        }
        return blocks.filter { $0.contains("\nstages:") }
    }()

    /// Writes block `index` into a fresh folder whose `data` links to the shipped data.
    static func pipelineFile(_ index: Int) throws -> (file: String, directory: String) {
        let dir = Fixtures.temporaryDirectory("dpflow-readme")
        try FileManager.default.createSymbolicLink(atPath: dir + "/data", withDestinationPath: Fixtures.data)
        let file = dir + "/readme-\(index).yaml"
        try blocks[index].write(toFile: file, atomically: true, encoding: .utf8)
        return (file, dir)
    }

    @Test("the README shows a whole pipeline")
    func readmeHasAPipeline() {
        #expect(!Self.blocks.isEmpty)
    }

    @Test("every README pipeline validates and fits its declared budget", arguments: blocks.indices)
    func validates(_ index: Int) throws {
        let (file, _) = try Self.pipelineFile(index)
        let environment = TestEnvironment.make()
        #expect(Pipeline.diagnose(file: file, environment: environment) == [])
        let pipeline = try Pipeline.load(file: file, environment: environment)
        let plan = try pipeline.plan(datasetID: { _ in "readme" })
        let budget = try #require(pipeline.spec.privacy.budget)
        #expect(plan.totalEpsilon <= budget.epsilon)
        #expect(plan.totalDelta <= budget.delta)
    }

    @Test("every README pipeline runs end to end (2 epochs, seeded)", arguments: blocks.indices)
    func runs(_ index: Int) throws {
        let (file, dir) = try Self.pipelineFile(index)
        let runner = try PipelineRunner.standard(environment: TestEnvironment.make())
        let options = RunOptions(outputDirectory: dir + "/out", ledgerPath: dir + "/ledger.sqlite", seed: 7, epochsOverride: 2)
        let report = try runner.run(file: file, options: options)
        #expect(report.status == "completed")
        #expect(report.privacy.private == false)  // seeded: never presented as private
        #expect(FileManager.default.fileExists(atPath: dir + "/out/report.html"))
    }
}
