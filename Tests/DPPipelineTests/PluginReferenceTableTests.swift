import Foundation
import PrivateLearning
import Testing
@testable import DPPipeline

/// docs/plugins.md's reference table is derived from the plugin declarations; this keeps the file in sync.
@Suite("Plugin reference table")
struct PluginReferenceTableTests {
    @Test("docs/plugins.md holds exactly the table the standard declarations generate")
    func docsTableMatchesDeclarations() throws {
        let text = try String(contentsOfFile: Fixtures.repositoryRoot + "/docs/plugins.md", encoding: .utf8)
        let begin = try #require(text.range(of: PluginCatalog.tableBegin), "docs/plugins.md lacks the table markers")
        let end = try #require(text.range(of: PluginCatalog.tableEnd))
        let inDocs = text[begin.upperBound..<end.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        let generated = PluginCatalog.markdownTable(TestEnvironment.make().plugins)
        #expect(inDocs == generated, "regenerate with `dpflow plugins --markdown` and paste between the markers")
    }

    @Test("every standard plugin is declared, and the table has one row per plugin with its aliases")
    func everyPluginDeclared() {
        let registry = TestEnvironment.make().plugins
        for kind in PluginKind.allCases {
            for name in registry.names(of: kind) {
                #expect(registry.declaration(of: kind, name) != nil, "\(kind.rawValue) '\(name)' has no declaration")
            }
        }
        let table = PluginCatalog.markdownTable(registry)
        #expect(table.contains("| loss | `mean_squared_error` (`mse`) | — | real targets |"))
        #expect(table.contains("| layer | `dense` | `units` (int > 0, required), `activation` (linear\\|relu"))
        // Cells never break the table: choice lists use escaped bars.
        for line in table.split(separator: "\n") {
            #expect(line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count == 6, "\(line)")
        }
    }

    @Test("losses declare their target encoding; the pipeline encodes labels from it, not from names")
    func targetEncodings() {
        let registry = TestEnvironment.make().plugins
        #expect(registry.targetEncoding(ofLoss: "binary_crossentropy") == .binary)
        #expect(registry.targetEncoding(ofLoss: "sparse_categorical_crossentropy") == .integerClass)
        #expect(registry.targetEncoding(ofLoss: "categorical_crossentropy") == .oneHot)
        #expect(registry.targetEncoding(ofLoss: "mse") == .real)
        #expect(registry.targetEncoding(ofLoss: "huber_loss") == .real)
    }

    @Test("a third-party loss that declares one_hot targets gets one-hot labels and the one-hot width check")
    func thirdPartyLossGetsItsEncoding() throws {
        var environment = TestEnvironment.make()
        try environment.plugins.register(PluginDeclaration(loss: "my_cce", summary: "test", targetEncoding: .oneHot),
                                         loss: { _ in try TestEnvironment.make().plugins.makeLoss("categorical_crossentropy") })
        let base = Fixtures.validBreastCancer.replacingOccurrences(of: "csv: data/", with: "csv: \(Fixtures.data)/")
        // 2 label values → a one-hot loss needs 2 outputs: the 1-output model is refused at the output layer's line.
        let oneOutput = base.replacingOccurrences(of: "loss: binary_crossentropy", with: "loss: my_cce")
        do {
            _ = try Pipeline.load(yaml: oneOutput, environment: environment)
            Issue.record("a one-output model was accepted for a one-hot loss on a 2-value label")
        } catch {
            #expect("\(error)".contains("my_cce: the last layer has 1 outputs but 'target' declares 2 values (one-hot targets)"), "\(error)")
        }
        let twoOutputs = oneOutput.replacingOccurrences(of: "- dense: {units: 1, activation: sigmoid}", with: "- dense: {units: 2, activation: softmax}")
        let pipeline = try Pipeline.load(yaml: twoOutputs, environment: environment)
        #expect(pipeline.spec.stages.contains { $0 is TrainStage })
        let train = try #require(pipeline.spec.stages.compactMap { $0 as? TrainStage }.first)
        #expect(train.labelEncoding(environment.plugins) == .oneHot)
    }
}
