import Foundation
import Testing
import PrivacyAccounting
@testable import PrivateDataFrame

@Suite("Exact releases on a public grid")
struct ExactReleaseTests {
    let files = TestFiles()

    func budget(_ name: String) throws -> ReleaseBudget {
        let ledger = try SQLiteBudgetLedger.create(path: files.path(name))
        try ledger.grant(dataset: "att", epsilon: 100_000, delta: 0.5)
        return ReleaseBudget(ledger: ledger, job: "attack")
    }

    /// Issue 11, finding 1: a 20-row data set with x ∈ [0, 1] and its neighbour without one row. Every released sum
    /// of either data set must be possible under both: on the public grid, and — since discrete Laplace / Gaussian
    /// noise has full support on the grid — of positive probability under both, with a likelihood ratio within
    /// e^ε. The old floating-point Laplace made 66 of 80 values impossible under the neighbour.
    @Test(arguments: [ReleaseMechanism.laplace, .gaussian(delta: 1e-6)])
    func noReleasedSumIsImpossibleUnderTheNeighbour(mechanism: ReleaseMechanism) throws {
        let xs = (0..<20).map { Double(($0 * 37) % 101) / 100 }
        func csv(_ v: [Double]) -> String { "x\n" + v.map { "\($0)" }.joined(separator: "\n") + "\n" }
        let schema = Schema(columns: ["x": .number(min: 0, max: 1)])
        let full = try PrivateDataFrame.load(csv: files.write("full.csv", csv(xs)), schema: schema, datasetID: "att")
        let without = try PrivateDataFrame.load(csv: files.write("without.csv", csv(xs.enumerated().filter { $0.offset != 7 }.map(\.element))),
                                                schema: schema, datasetID: "att")
        #expect(without.rowCount == 19)
        let b = ReleaseBudget.preReserved(try ReservedAllotment(epsilon: 1000, delta: 0.5))
        let epsilon = 1.0
        var impossible = 0, distinct = Set<Double>()
        for seed in 0..<80 {
            for frame in [full, without] {
                let r = try frame.releaseSum(of: "x", epsilon: epsilon, mechanism: mechanism, charging: b, noise: .seeded(UInt64(seed)))
                let g = r.granularity
                // Default for [0, 1]: 2^(0 − 20); the Gaussian moves to a coarser grid to keep σ in the exact sampler's range.
                if case .laplace = mechanism { #expect(g == 0x1p-20) } else { #expect(g >= 0x1p-20 && g < 1) }
                let units = r.value / g
                distinct.insert(r.value)
                // Possible under a data set iff value − exact sum is an integer number of grid units (full support).
                let grid = try ReleaseGrid(granularity: g)
                let sumFull = xs.reduce(Int64(0)) { $0 + grid.units(Double(Float($1))) }
                let sumWithout = sumFull - grid.units(Double(Float(xs[7])))
                if units != units.rounded() || !units.isFinite { impossible += 1; continue }
                let k = Int64(units)
                // Log-likelihood ratio between the two data sets for this output: within ε (Laplace) — computed from
                // the discrete Laplace PMF on the grid; the Gaussian's is unbounded in the tails but finite.
                if case .laplace = mechanism {
                    let (a, bb) = try ReleaseMechanism.laplaceScale(l1: 1 << 20, epsilon: epsilon)
                    let t = Double(a) / Double(bb)
                    let llr = (Double((k - sumWithout).magnitude) - Double((k - sumFull).magnitude)) / t
                    #expect(abs(llr) <= epsilon + 1e-12)
                }
            }
        }
        #expect(impossible == 0)
        #expect(distinct.count > 100)                                   // the noise is real
    }

    /// Every release is an integer number of grid units times a power-of-two granularity (declared or default):
    /// no floating-point noise path remains.
    @Test(arguments: [ReleaseMechanism.laplace, .gaussian(delta: 1e-5)])
    func releasedValuesAreExactMultiplesOfTheGranularity(mechanism: ReleaseMechanism) throws {
        var text = "x,c,p\n"
        for i in 0..<50 { text += "\(Double(i % 13) * 0.77),\(["a", "b", "c"][i % 3]),\(["a", "b", "c"][(i / 2) % 3])\n" }
        let frame = try PrivateDataFrame.load(csv: files.write("g.csv", text), schema: Schema(columns: [
            "x": .number(min: -3, max: 10), "c": .category(["a", "b", "c"]), "p": .category(["a", "b", "c"])]), datasetID: "att")
        let b = try budget("g.sqlite")
        for seed: UInt64 in 0..<10 {
            let releases = [
                try frame.releaseCount(epsilon: 0.5, mechanism: mechanism, charging: b, noise: .seeded(seed)),
                try frame.releaseSum(of: "x", epsilon: 0.5, mechanism: mechanism, charging: b, noise: .seeded(seed)),
                try frame.releaseSum(of: "x", epsilon: 0.5, mechanism: mechanism, granularity: 0.25, charging: b, noise: .seeded(seed)),
                try frame.releaseHistogram(of: "c", epsilon: 0.5, mechanism: mechanism, charging: b, noise: .seeded(seed)),
                try frame.releaseConfusionMatrix(prediction: "p", label: "c", epsilon: 0.5, mechanism: mechanism, granularity: 4,
                                                 charging: b, noise: .seeded(seed)),
            ]
            if case .laplace = mechanism {
                #expect(releases.map(\.granularity) == [1, 0x1p-17, 0.25, 1, 4])   // [−3, 10]: W = 13 → 2^(3 − 20)
            } else {
                #expect(releases[2].granularity == 0.25 && releases[4].granularity == 4)
            }
            for r in releases {
                #expect(r.granularity.significandBitPattern == 0)
                for v in r.values { #expect((v / r.granularity).rounded() == v / r.granularity, "\(r.query) = \(v)") }
                for ci in r.confidenceIntervals95 {
                    #expect((ci.lower / r.granularity).rounded() == ci.lower / r.granularity)
                }
            }
        }
    }

    /// Sensitivities follow the neighbouring relation: a sum over [a, b] moves by b − a under replace-one and by
    /// max(|a|, |b|) under add/remove; a histogram's L1 doubles; the centred numerator of a mean moves by b − a.
    @Test func sensitivitiesFollowTheRelation() throws {
        let frame = try PrivateDataFrame.load(csv: files.write("r.csv", "x,c\n3,a\n5,b\n"),
                                              schema: Schema(columns: ["x": .number(min: 2, max: 6), "c": .category(["a", "b"])]),
                                              datasetID: "att")
        let b = try budget("r.sqlite")
        // Grid 1: bounds [2, 6].
        let add = try frame.releaseSum(of: "x", epsilon: 1, granularity: 1, charging: b, noise: .seeded(1))
        let rep = try frame.releaseSum(of: "x", epsilon: 1, granularity: 1, relation: .replaceOne, charging: b, noise: .seeded(1))
        #expect(add.mechanism.contains("sum sensitivity 6 grid units") && add.relation == .addRemove)
        #expect(rep.mechanism.contains("sum sensitivity 4 grid units") && rep.relation == .replaceOne)
        // Discrete Laplace std at scale Δ/ε: √(2q)/(1 − q), q = e^(−ε/Δ) (ε rounded down by < 2⁻¹⁹ relative).
        func std(_ delta: Double) -> Double { let q = exp(-1 / delta); return (2 * q).squareRoot() / (1 - q) }
        #expect(abs(add.noiseStd[0] / std(6) - 1) < 1e-5 && abs(rep.noiseStd[0] / std(4) - 1) < 1e-5)
        let hAdd = try frame.releaseHistogram(of: "c", epsilon: 1, charging: b, noise: .seeded(2))
        let hRep = try frame.releaseHistogram(of: "c", epsilon: 1, relation: .replaceOne, charging: b, noise: .seeded(2))
        #expect(abs(hAdd.noiseStd[0] / std(1) - 1) < 1e-5 && abs(hRep.noiseStd[0] / std(2) - 1) < 1e-5)
        let mAdd = try frame.releaseMean(of: "x", epsilon: 1, granularity: 1, charging: b, noise: .seeded(3))
        let mRep = try frame.releaseMean(of: "x", epsilon: 1, granularity: 1, relation: .replaceOne, charging: b, noise: .seeded(3))
        #expect(mAdd.mechanism.contains("sum sensitivity 2 grid units") && mRep.mechanism.contains("sum sensitivity 4 grid units"))
        // Gaussian under replace-one: L2² = 2 for the histogram.
        let g = try frame.releaseHistogram(of: "c", epsilon: 1, mechanism: .gaussian(delta: 1e-5), relation: .replaceOne,
                                           charging: b, noise: .seeded(4))
        #expect(g.mechanism.contains("L2 = √2") && g.relation == .replaceOne)
    }

    /// Parameter problems are found before anything is charged.
    @Test func badGranularityIsRefusedBeforeCharging() throws {
        let frame = try PrivateDataFrame.load(csv: files.write("b.csv", "x\n1\n"),
                                              schema: Schema(columns: ["x": .number(min: 0, max: 1000)]), datasetID: "att")
        let ledger = try SQLiteBudgetLedger.create(path: files.path("b.sqlite"))
        try ledger.grant(dataset: "att", epsilon: 10, delta: 0)
        let b = ReleaseBudget(ledger: ledger, job: "t")
        #expect(throws: DataFrameError.self) { try frame.releaseSum(of: "x", epsilon: 1, granularity: 3, charging: b) }
        #expect(throws: DataFrameError.self) { try frame.releaseSum(of: "x", epsilon: 1, granularity: 0x1p-30, charging: b) }
        #expect(throws: DataFrameError.self) { try frame.releaseCount(epsilon: 1, granularity: 0x1p-40, charging: b) }
        #expect(try ledger.spends().isEmpty)
    }
}
