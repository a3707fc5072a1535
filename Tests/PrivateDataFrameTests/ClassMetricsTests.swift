import Foundation
import Testing
import PrivacyAccounting
@testable import PrivateDataFrame

@Suite struct ClassMetricsTests {
    func matrix(_ values: [Double], classes: [String]) -> DPRelease {
        let labels = classes.flatMap { t in classes.map { "true=\(t),predicted=\($0)" } }
        return DPRelease(query: "confusion_matrix(p vs y)", labels: labels, values: values,
                         noiseStd: values.map { _ in 1 }, confidenceIntervals95: values.map { DPRelease.Interval(lower: $0 - 2, upper: $0 + 2) },
                         mechanism: "discrete laplace", granularity: 1, relation: .addRemove, epsilon: 0.5, delta: 0,
                         isPrivate: true, note: nil)
    }

    @Test func precisionRecallF1FromTheNoisyCells() throws {
        // true neg: 90 predicted neg, 10 predicted pos; true pos: 5 predicted neg, 15 predicted pos.
        let m = try ClassMetrics(confusionMatrix: matrix([90, 10, 5, 15], classes: ["neg", "pos"]))
        #expect(m.classes.map(\.label) == ["neg", "pos"])
        let pos = m.classes[1]
        #expect(abs(pos.precision! - 15.0 / 25) < 1e-12)
        #expect(abs(pos.recall! - 15.0 / 20) < 1e-12)
        #expect(abs(pos.f1! - 2 * 0.6 * 0.75 / 1.35) < 1e-12)
        #expect(abs(m.classes[0].precision! - 90.0 / 95) < 1e-12)
        #expect(m.epsilon == 0.5 && m.delta == 0 && m.isPrivate)
    }

    @Test func negativeCellsClampAndEmptyDenominatorsAreUndefined() throws {
        let m = try ClassMetrics(confusionMatrix: matrix([40, -3, -2, -1], classes: ["a", "b"]))
        #expect(m.classes[1].precision == nil && m.classes[1].recall == nil && m.classes[1].f1 == nil)
        #expect(m.classes[0].precision == 1 && m.classes[0].recall == 1)
        #expect(m.macroF1 == 1)
    }

    @Test func classNamesMayContainCommas() throws {
        let m = try ClassMetrics(confusionMatrix: matrix([1, 2, 3, 4], classes: ["a,b", "c=d"]))
        #expect(m.classes.map(\.label) == ["a,b", "c=d"])
    }

    @Test func refusesOtherReleases() {
        var r = matrix([1, 2, 3, 4], classes: ["a", "b"])
        r = DPRelease(query: r.query, labels: ["count", "x", "y"], values: [1, 2, 3], noiseStd: [1, 1, 1],
                      confidenceIntervals95: r.confidenceIntervals95 + [], mechanism: r.mechanism, granularity: 1,
                      relation: .addRemove, epsilon: 1, delta: 0, isPrivate: true, note: nil)
        #expect(throws: DataFrameError.self) { try ClassMetrics(confusionMatrix: r) }
    }
}
