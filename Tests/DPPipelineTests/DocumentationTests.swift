import Foundation
import Testing
@testable import DPPipeline

/// Every pipeline in a YAML block of docs/pipelines.md validates (relative paths against `pipelines/`).
@Suite("Documentation")
struct DocumentationTests {
    static func yamlBlocks(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var blocks: [String] = []
        var current: [String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.hasPrefix("```yaml") { current = [] } else if current != nil, line.hasPrefix("```") {
                blocks.append(current!.joined(separator: "\n")); current = nil
            } else { current?.append(String(line)) }
        }
        return blocks.filter { $0.hasPrefix("name:") }
    }

    @Test("pipelines in docs/pipelines.md validate and fit their budgets")
    func docsPipelines() throws {
        let blocks = try Self.yamlBlocks(Fixtures.repositoryRoot + "/docs/pipelines.md")
        #expect(!blocks.isEmpty)
        for (i, yaml) in blocks.enumerated() {
            let pipeline = try Pipeline.load(yaml: yaml, file: "docs/pipelines.md[\(i)]", directory: Fixtures.pipelines,
                                             environment: TestEnvironment.make())
            let plan = try pipeline.plan(datasetID: { _ in "docs" })
            #expect(plan.totalEpsilon <= pipeline.spec.privacy.budget?.epsilon ?? 0)
        }
    }
}
