import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import DPPipeline

@Suite("Report rendering")
struct ReportRenderingTests {
    static func sampleReport(private isPrivate: Bool) -> RunReport {
        RunReport(
            status: "completed",
            pipeline: .init(name: "bc <&> \"test\"", file: "pipelines/x.yaml", description: "a & b"),
            versions: ["dpflow": "0.1.0"],
            privacy: .init(epsilon: 2.2, delta: 1e-5, private: isPrivate,
                           notPrivateReasons: isPrivate ? [] : ["evaluate uses mode: exact"], accountant: "rdp",
                           dataset: "bc", composition: "sum", ledgerGrantedEpsilon: 4, ledgerSpentEpsilon: 2.2),
            stages: [.init(name: "train", epsilon: 2, delta: 1e-5, detail: "DP-SGD σ < 2", seconds: 1.5),
                     .init(name: "evaluate", epsilon: 0.2, delta: 0, detail: "DP accuracy", seconds: 0.1)],
            metrics: ["accuracy": .init(value: 0.95, private: isPrivate, noiseScale: 0.04, mechanism: "Laplace", epsilon: 0.2,
                                        granularity: isPrivate ? 0x1p-20 : nil),
                      "count": .init(value: 198, private: isPrivate, noiseScale: 2.1, mechanism: "discrete laplace", epsilon: 0.5,
                                     granularity: isPrivate ? 1 : nil)],
            training: .init(noiseMultiplier: 1.1, l2NormClip: 1, batchSize: 32, samplingRate: 0.07, steps: 100,
                            examples: 455, parameters: 1025, layers: ["dense(32)", "dense(1)"],
                            epochs: (1...5).map { .init(epoch: $0, loss: 1.0 / Double($0), epsilon: 0.4 * Double($0)) }),
            timings: ["total": 2.0], outputs: ["report.json"], startedAt: "2026-01-01T00:00:00Z", finishedAt: "2026-01-01T00:00:02Z")
    }

    @Test("report.html is well-formed XML with inline SVG plots and no scripts", arguments: [true, false])
    func htmlWellFormed(isPrivate: Bool) throws {
        let html = ReportRenderer.html(Self.sampleReport(private: isPrivate), log: "line <1> & more", pipelineText: "name: a<b")
        #if canImport(FoundationXML) || canImport(Darwin)
        let document = try XMLDocument(xmlString: html, options: [])
        let svgs = try document.nodes(forXPath: "//*[local-name()='svg']")
        #expect(svgs.count == 3)  // loss, ε, metrics
        let polylines = try document.nodes(forXPath: "//*[local-name()='polyline']")
        #expect(polylines.count == 2)
        #endif
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") || !html.replacingOccurrences(of: "http://www.w3.org/", with: "").contains("http://"))
        #expect(html.contains("NOT PRIVATE") == !isPrivate)
        #expect(html.contains("bc &lt;&amp;&gt; &quot;test&quot;"))
    }

    /// The cells of the metrics table, by metric name and column header.
    static func metricCells(_ html: String) throws -> [String: [String: String]] {
        #if canImport(FoundationXML) || canImport(Darwin)
        let document = try XMLDocument(xmlString: html, options: [])
        let tables = try document.nodes(forXPath: "//*[local-name()='table'][.//*[local-name()='th' and text()='metric']]")
        let table = try #require(tables.first as? XMLElement)
        let rows = try table.nodes(forXPath: ".//*[local-name()='tr']")
        let headers = try #require(try rows.first?.nodes(forXPath: "./*[local-name()='th']")).map { $0.stringValue ?? "" }
        var cells: [String: [String: String]] = [:]
        for row in rows.dropFirst() {
            let values = try row.nodes(forXPath: "./*[local-name()='td']").map { $0.stringValue ?? "" }
            try #require(values.count == headers.count)
            cells[values[0]] = Dictionary(uniqueKeysWithValues: zip(headers, values))
        }
        return cells
        #else
        return [:]
        #endif
    }

    @Test("every DP metric and release shows its granularity next to the mechanism and noise std; exact ones a dash",
          arguments: [true, false])
    func granularityColumn(isPrivate: Bool) throws {
        let html = ReportRenderer.html(Self.sampleReport(private: isPrivate), log: "", pipelineText: "")
        #if canImport(FoundationXML) || canImport(Darwin)
        let cells = try Self.metricCells(html)
        #expect(cells.keys.sorted() == ["accuracy", "count"])
        #expect(cells["accuracy"]?["granularity"] == (isPrivate ? "2⁻²⁰ ≈ 9.537e-07" : "—"))
        #expect(cells["count"]?["granularity"] == (isPrivate ? "2⁰ = 1" : "—"))
        #expect(cells["count"]?["noise std"] == "2.1" && cells["count"]?["mechanism"] == "discrete laplace")
        #endif
        #expect(html.contains("<th>mechanism</th><th>noise std</th><th>granularity</th>"))
        #expect(html.contains("granularity: the public grid") == isPrivate)
    }

    @Test("a grid prints as a power of two with its decimal value, exact where the decimal is short", arguments: [
        (1.0, "2⁰ = 1"), (0.25, "2⁻² = 0.25"), (1024.0, "2¹⁰ = 1024"), (0x1p-12, "2⁻¹² = 0.000244140625"),
        (0x1p-17, "2⁻¹⁷ ≈ 7.629e-06"), (0x1p-60, "2⁻⁶⁰ ≈ 8.674e-19"), (0x1p60, "2⁶⁰ ≈ 1.153e+18"), (0.3, "0.3"),
    ])
    func granularityText(_ g: Double, _ expected: String) {
        #expect(ReportRenderer.granularity(g) == expected)
    }

    @Test("report.json has the documented keys")
    func jsonKeys() throws {
        let data = try ReportRenderer.json(Self.sampleReport(private: true))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let privacy = try #require(object["privacy"] as? [String: Any])
        #expect(privacy["epsilon"] as? Double == 2.2)
        #expect(privacy["delta"] as? Double == 1e-5)
        #expect(privacy["private"] as? Bool == true)
        let stages = try #require(object["stages"] as? [[String: Any]])
        #expect(stages.map { $0["name"] as? String } == ["train", "evaluate"])
        #expect(stages.map { $0["epsilon"] as? Double } == [2, 0.2])
        let accuracy = try #require((object["metrics"] as? [String: Any])?["accuracy"] as? [String: Any])
        #expect(accuracy["value"] as? Double == 0.95)
        #expect(accuracy["private"] as? Bool == true)
        #expect(accuracy["noise_scale"] as? Double == 0.04)
        #expect(accuracy["granularity"] as? Double == 0x1p-20)
        for key in ["pipeline", "versions", "timings"] { #expect(object[key] != nil, "missing \(key)") }
    }
}

@Suite("Privacy formatting")
struct PrivacyFormatTests {
    @Test("ε and δ are printed rounded up, exact values unchanged", arguments: [
        (1e-5, "1e-05"), (1.9797047635697238, "1.98"), (2.00004, "2.001"), (3.2, "3.2"), (2.999806346604204, "3"), (0.0, "0"),
        (9.43812, "9.439"),
    ])
    func roundedUp(_ value: Double, _ expected: String) {
        #expect(PrivacyFormat.string(value) == expected)
    }
}
