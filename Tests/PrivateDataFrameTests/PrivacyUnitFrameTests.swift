import Foundation
import PrivateLearning
import Testing
@testable import PrivateDataFrame

/// Contribution bounding, unit-keeping splits and user-level release sensitivities (issue 15).
@Suite("Privacy unit: bounding, split, releases")
struct PrivacyUnitFrameTests {
    let files = TestFiles()

    /// Unit u (id 5000 + 3u) has `rows(u)` rows; x = 1 everywhere, c alternates.
    func frame(units: Int, rows: (Int) -> Int, name: String = "u.csv") throws -> PrivateDataFrame {
        var text = "pid,x,c\n"
        for u in 0..<units { for r in 0..<rows(u) { text += "\(5000 + 3 * u),1,\(r % 2 == 0 ? "a" : "b")\n" } }
        return try PrivateDataFrame.load(csv: files.write(name, text), schema: Schema(columns: [
            "pid": .integer(min: 0, max: 1_000_000), "x": .number(min: 0, max: 1), "c": .category(["a", "b"]),
        ]), datasetID: "unit-test")
    }

    func rowsPerUnit(_ f: PrivateDataFrame) -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for id in f.testNumbers("pid") { counts[Int(id), default: 0] += 1 }
        return counts
    }

    @Test("bounding keeps exactly min(rows, k) rows of every unit", arguments: [1, 3, 7])
    func boundingKeepsMinRowsK(k: Int) throws {
        let sizes = (0..<40).map { 1 + ($0 * 7) % 12 }
        let f = try frame(units: 40, rows: { sizes[$0] })
        var g = SeededRandomSource(seed: UInt64(k))
        let b = try f.boundingContributions(unit: "pid", maxRowsPerUnit: k, using: &g)
        let counts = rowsPerUnit(b)
        #expect(counts.count == 40)
        for u in 0..<40 { #expect(counts[5000 + 3 * u] == min(sizes[u], k)) }
        #expect(b.contributionBound == k)
        #expect(b.unitIndices()?.count == 40)
    }

    /// A unit of 10 rows bounded to k = 3, 2,000 times: each row is kept Binomial(2000, 0.3) times (mean 600,
    /// sd 20.5; band 5 sd), so the kept rows are uniform and not, e.g., the first k.
    @Test("the kept rows are a uniformly random k of a larger unit (binomial band)")
    func boundingIsUniform() throws {
        var text = "pid,x,c\n"
        for r in 0..<10 { text += "7,\(Double(r) / 10),a\n" }
        let f = try PrivateDataFrame.load(csv: files.write("one.csv", text), schema: Schema(columns: [
            "pid": .integer(min: 0, max: 10), "x": .number(min: 0, max: 1), "c": .category(["a", "b"])]))
        var g = SeededRandomSource(seed: 99)
        var kept = [Int](repeating: 0, count: 10)
        for _ in 0..<2000 {
            let b = try f.boundingContributions(unit: "pid", maxRowsPerUnit: 3, using: &g)
            #expect(b.rowCount == 3)
            for v in b.testNumbers("x") { kept[Int((v * 10).rounded())] += 1 }
        }
        for c in kept { #expect(abs(Double(c) - 600) <= 5 * 20.5, "kept \(kept)") }
    }

    @Test("a split by the unit id keeps all rows of a unit on one side, through a selection")
    func splitKeepsUnitsTogether() throws {
        let f = try frame(units: 200, rows: { 1 + $0 % 5 })
        var g = SeededRandomSource(seed: 1)
        let b = try f.boundingContributions(unit: "pid", maxRowsPerUnit: 4, using: &g)
        let selected = try b.select(allFeaturesExcept: "c")
        #expect(selected.featureColumns == ["x"], "the unit column is never a feature")
        let (train, test) = try selected.split(testFraction: 0.3, seed: 5, key: .column("pid"), keySource: b)
        let trainIDs = Set(rowsPerUnit(try b.split(testFraction: 0.3, seed: 5, key: .column("pid")).train).keys)
        let testIDs = Set(rowsPerUnit(try b.split(testFraction: 0.3, seed: 5, key: .column("pid")).test).keys)
        #expect(trainIDs.isDisjoint(with: testIDs))
        #expect(trainIDs.count + testIDs.count == 200)
        #expect(train.unitIndices()?.count == trainIDs.count && test.unitIndices()?.count == testIDs.count)
        #expect(train.contributionBound == 4 && test.contributionBound == 4)
    }

    @Test("the unit column is refused as a feature or label")
    func unitColumnIsNeverAFeature() throws {
        var g = SeededRandomSource(seed: 2)
        let b = try frame(units: 5, rows: { _ in 2 }).boundingContributions(unit: "pid", maxRowsPerUnit: 2, using: &g)
        #expect(throws: DataFrameError.self) { try b.select(features: ["pid", "x"], label: "c") }
        #expect(throws: DataFrameError.self) { try b.select(features: ["x"], label: "pid") }
        #expect(throws: DataFrameError.self) { try b.boundingContributions(unit: "x", maxRowsPerUnit: 2, using: &g) }
        #expect(throws: DataFrameError.self) {
            try frame(units: 2, rows: { _ in 1 }, name: "n.csv").boundingContributions(unit: "x", maxRowsPerUnit: 1, using: &g)
        }
    }

    /// Adding one unit of 50 rows (bounded to k = 4) to a frame changes each release by at most its declared
    /// sensitivity: with the same seeded noise draw, the released count moves by exactly k, the sum by ≤ k·1, each
    /// histogram cell by ≤ k; and the noise is calibrated to that sensitivity (std k times the row-level one).
    @Test("one unit moves a release by at most its sensitivity, and the noise scales with k")
    func oneUnitMovesReleaseBySensitivity() throws {
        let k = 4
        let base = try frame(units: 30, rows: { 1 + $0 % 6 }, name: "base.csv")
        let plus = try frame(units: 31, rows: { $0 == 30 ? 50 : 1 + $0 % 6 }, name: "plus.csv")
        var g = SeededRandomSource(seed: 3)
        let a = try base.boundingContributions(unit: "pid", maxRowsPerUnit: k, using: &g)
        let b = try plus.boundingContributions(unit: "pid", maxRowsPerUnit: k, using: &g)
        let budget = ReleaseBudget.preReserved(try ReservedAllotment(epsilon: 1000, delta: 0.5))
        for seed in UInt64(1)...5 {
            let ca = try a.releaseCount(epsilon: 1, charging: budget, noise: .seeded(seed))
            let cb = try b.releaseCount(epsilon: 1, charging: budget, noise: .seeded(seed))
            #expect(abs(cb.values[0] - ca.values[0]) <= Double(k))
            let sa = try a.releaseSum(of: "x", epsilon: 1, granularity: 1.0 / 1024, charging: budget, noise: .seeded(seed))
            let sb = try b.releaseSum(of: "x", epsilon: 1, granularity: 1.0 / 1024, charging: budget, noise: .seeded(seed))
            #expect(abs(sb.values[0] - sa.values[0]) <= Double(k) * 1 + 1e-9)
            let ha = try a.releaseHistogram(of: "c", epsilon: 1, charging: budget, noise: .seeded(seed))
            let hb = try b.releaseHistogram(of: "c", epsilon: 1, charging: budget, noise: .seeded(seed))
            #expect(zip(ha.values, hb.values).reduce(0.0) { $0 + abs($1.1 - $1.0) } <= Double(k))
        }
        let rowLevel = try base.releaseCount(epsilon: 1, charging: budget, noise: .seeded(1))
        let unitLevel = try a.releaseCount(epsilon: 1, charging: budget, noise: .seeded(1))
        #expect(abs(unitLevel.noiseStd[0] / rowLevel.noiseStd[0] - Double(k)) < 0.05 * Double(k))
        let rowSum = try base.releaseSum(of: "x", epsilon: 1, granularity: 1.0 / 1024, charging: budget, noise: .seeded(1))
        let unitSum = try a.releaseSum(of: "x", epsilon: 1, granularity: 1.0 / 1024, charging: budget, noise: .seeded(1))
        #expect(abs(unitSum.noiseStd[0] / rowSum.noiseStd[0] - Double(k)) < 0.05 * Double(k))
        let rowMean = try base.releaseMean(of: "x", epsilon: 1, charging: budget, noise: .seeded(1))
        let unitMean = try a.releaseMean(of: "x", epsilon: 1, charging: budget, noise: .seeded(1))
        #expect(unitMean.mechanism.contains("count sensitivity \(k)"))
        #expect(rowMean.mechanism.contains("count sensitivity 1"))
    }

    @Test("the DP count of units counts distinct units with sensitivity 1")
    func unitCount() throws {
        var g = SeededRandomSource(seed: 4)
        let b = try frame(units: 300, rows: { 1 + $0 % 9 }).boundingContributions(unit: "pid", maxRowsPerUnit: 3, using: &g)
        let budget = ReleaseBudget.preReserved(try ReservedAllotment(epsilon: 1000, delta: 0.5))
        let r = try b.releaseUnitCount(epsilon: 5, charging: budget, noise: .seeded(7))
        // Discrete Laplace of scale 1/5: |noise| > 5 has probability < 1e-10.
        #expect(abs(r.values[0] - 300) <= 5)
        #expect(throws: DataFrameError.self) { try frame(units: 2, rows: { _ in 1 }, name: "p.csv").releaseUnitCount(epsilon: 1, charging: budget) }
    }

    @Test("training on a unit frame samples units: q = B/N_units and whole units per batch")
    func frameSamplerSamplesUnits() throws {
        var g = SeededRandomSource(seed: 5)
        let b = try frame(units: 50, rows: { 1 + $0 % 4 }).boundingContributions(unit: "pid", maxRowsPerUnit: 3, using: &g)
        let set = try b.select(features: ["x"], label: "c").trainingSet(EncodingOptions())
        let sampler = try FrameBatchSampler(set, batchSize: 10, scheme: .poissonUnits(accountedUnits: 100))
        #expect(sampler.samplingRate == 0.1 && sampler.stepsPerEpoch == 10)
        for _ in 0..<20 {
            let batch = sampler.sampleBatch(using: &g)
            #expect(batch.units?.count == batch.features.rows)
            #expect(batch.unitCount == Set(batch.units ?? []).count)
        }
        let rowSet = try frame(units: 5, rows: { _ in 1 }, name: "r.csv").select(features: ["x"], label: "c").trainingSet(EncodingOptions())
        #expect(throws: PrivateLearningError.self) { try FrameBatchSampler(rowSet, batchSize: 2, scheme: .poissonUnits(accountedUnits: nil)) }
    }
}
