import Foundation
import Testing
@testable import PrivateDataFrame

@Suite("DP releases")
struct ReleaseTests {
    let files = TestFiles()

    func budget(_ name: String = "l.sqlite", dataset: String = "rel") throws -> ReleaseBudget {
        let ledger = try SQLiteBudgetLedger.create(path: files.path(name))
        try ledger.grant(dataset: dataset, epsilon: 1000, delta: 0.5)
        return ReleaseBudget(ledger: ledger, job: "test")
    }

    /// One row per declared category value `c0…c{k-1}`, each repeated `r` times.
    func wideFrame(categories k: Int, repeats r: Int) throws -> PrivateDataFrame {
        var text = "c,x\n"
        for j in 0..<r { for i in 0..<k { text += "c\(i),\(Double((i + j) % 10))\n" } }
        return try PrivateDataFrame.load(csv: files.write("w.csv", text), schema: Schema(columns: [
            "c": .category((0..<k).map { "c\($0)" }), "x": .number(min: 0, max: 10)]), datasetID: "rel")
    }

    /// Sample variance of the noise over n independent cells vs the reported std².
    /// For noise with kurtosis κ, Var(s²)/σ⁴ ≈ (κ − 1)/n, so 5 sd of s²/σ² is 5√((κ − 1)/n).
    /// Discrete Laplace (q = e^(−ε), ε rounded down by less than 2⁻¹⁹ relative): σ² = 2q/(1 − q)²,
    /// κ = (1 + 10q + q²)/(2q) (≈ 6.13 at ε = 0.5). Discrete Gaussian (σ ≈ 4.6): κ ≈ 3. With n = 20,000 cells:
    /// tolerance ≈ 0.080 and 0.050. Both noises are integers.
    @Test(arguments: [(ReleaseMechanism.laplace, 0.5), (.gaussian(delta: 1e-5), 1.0)])
    func histogramNoiseHasTheReportedScale(mechanism: ReleaseMechanism, epsilon: Double) throws {
        let k = 20_000
        let frame = try wideFrame(categories: k, repeats: 1)
        let r = try frame.releaseHistogram(of: "c", epsilon: epsilon, mechanism: mechanism, charging: budget(), noise: .seeded(11))
        #expect(r.values.count == k && !r.isPrivate)
        let noise = r.values.map { $0 - 1 }              // every true count is 1
        let mean = noise.reduce(0, +) / Double(k)
        let variance = noise.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(k - 1)
        let expected = r.noiseStd[0] * r.noiseStd[0]
        let q = exp(-epsilon)
        let kurtosis: Double
        if case .laplace = mechanism {
            kurtosis = (1 + 10 * q + q * q) / (2 * q)
            #expect(abs(expected / (2 * q / ((1 - q) * (1 - q))) - 1) < 1e-5)
        } else {
            kurtosis = 3
        }
        #expect(noise.allSatisfy { $0 == $0.rounded() })   // integer noise on the count grid
        #expect(r.granularity == 1)
        let tolerance = 5 * ((kurtosis - 1) / Double(k)).squareRoot()
        #expect(abs(variance / expected - 1) < tolerance, "variance ratio \(variance / expected)")
        // Mean of the noise: sd σ/√n; 5 sd.
        #expect(abs(mean) < 5 * r.noiseStd[0] / Double(k).squareRoot())
        // At least 95% of the intervals cover the truth (the discrete interval is conservative):
        // binomial sd √(0.05·0.95/n) ≈ 0.0015; 5 sd below 0.95.
        let covered = zip(r.confidenceIntervals95, noise).filter { $0.0.lower <= 1 && 1 <= $0.0.upper }.count
        #expect(Double(covered) / Double(k) > 0.95 - 5 * (0.05 * 0.95 / Double(k)).squareRoot())
    }

    @Test func discreteLaplaceSumHasTheReportedScale() throws {
        // 20,000 draws of the sum's exact sampler: discrete Laplace κ ≈ 6 → tolerance 5√(5/n) on the variance ratio.
        let frame = try wideFrame(categories: 2, repeats: 2)          // x values 0,1,1,2: sum 4, bounds [0, 10]
        let grid = ReleaseGrid.defaultFor(bounds: 0...10)               // 2^(3 − 20)
        let calibrated = try ReleaseMechanism.laplace.calibrate(l1: UInt64(grid.units(10)), l2Squared: 0, epsilon: 0.5)
        var bits = RandomBits(.seeded(4))
        let n = 20_000
        let draws = try (0..<n).map { _ in Double(try calibrated.noisy(0, &bits)) }
        let variance = draws.map { $0 * $0 }.reduce(0, +) / Double(n)
        #expect(abs(variance / (calibrated.stdUnits * calibrated.stdUnits) - 1) < 5 * (5.0 / Double(n)).squareRoot())
        let r = try frame.releaseSum(of: "x", epsilon: 0.5, charging: budget(), noise: .seeded(4))
        #expect(r.granularity == grid.granularity)
        #expect(r.noiseStd[0] == calibrated.stdUnits * grid.granularity)
        // Scale in value units 10/0.5 = 20 (rounded up by less than 2⁻¹⁹): std ≈ 20·√2.
        #expect(abs(r.noiseStd[0] / (20 * 2.0.squareRoot()) - 1) < 1e-5)
        // The release used exactly the first draw of the same seeded source.
        var first = RandomBits(.seeded(4))
        #expect(r.value == grid.value(try calibrated.noisy(grid.units(4), &first)))
    }

    @Test func countSumMeanAreNearTheTruthWithinTheirReportedNoise() throws {
        let frame = try wideFrame(categories: 100, repeats: 100)   // 10,000 rows; x = (i + j) % 10
        let b = try budget()
        let trueSum = 45.0 * 1000
        let count = try frame.releaseCount(epsilon: 1, charging: b, noise: .seeded(1))
        #expect(abs(count.value - 10_000) < 10 * count.noiseStd[0])    // Laplace tails: P(|L| > 10σ) < 1e-6
        let sum = try frame.releaseSum(of: "x", epsilon: 1, charging: b, noise: .seeded(2))
        #expect(abs(sum.noiseStd[0] / (10 * 2.0.squareRoot()) - 1) < 1e-5)  // sensitivity max(|0|, |10|) = 10, scale 10/ε
        #expect(abs(sum.value - trueSum) < 10 * sum.noiseStd[0])
        let mean = try frame.releaseMean(of: "x", epsilon: 1, mechanism: .gaussian(delta: 1e-6), charging: b, noise: .seeded(3))
        #expect(abs(mean.value - 4.5) < 6 * mean.noiseStd[0])
        #expect(mean.confidenceIntervals95[0].lower < mean.value && mean.value < mean.confidenceIntervals95[0].upper)
        #expect(mean.epsilon == 1 && mean.delta == 1e-6)
        // Each release was charged before it ran, and committed.
        let spends = try b.ledger!.spends(dataset: "rel")
        #expect(spends.count == 3 && spends.allSatisfy { $0.status == .committed })
        #expect(abs(try b.ledger!.budget(dataset: "rel").committedEpsilon - 3) < 1e-9)
    }

    @Test func refusedWhenTheGrantIsTooSmallAndNothingIsComputed() throws {
        let frame = try wideFrame(categories: 3, repeats: 3)
        let ledger = try SQLiteBudgetLedger.create(path: files.path("small.sqlite"))
        try ledger.grant(dataset: "rel", epsilon: 0.5, delta: 0)
        let b = ReleaseBudget(ledger: ledger, job: "t")
        #expect(throws: DataFrameError.self) { try frame.releaseCount(epsilon: 1, charging: b) }
        #expect(throws: DataFrameError.self) { try frame.releaseMean(of: "x", epsilon: 0.2, mechanism: .gaussian(delta: 1e-6), charging: b) }
        #expect(try ledger.spends().isEmpty)
        // Type errors are found from the schema before anything is reserved.
        #expect(throws: DataFrameError.wrongColumnType(column: "c", expected: "number, integer or boolean", actual: "category")) {
            try frame.releaseSum(of: "c", epsilon: 0.1, charging: b)
        }
        #expect(try ledger.spends().isEmpty)
        let secure = try frame.releaseCount(epsilon: 0.5, charging: b)
        #expect(secure.isPrivate)
    }

    @Test func accuracyConfusionAndMSE() throws {
        // y and p agree on 3 of 4 rows (repeated 500 times); r = y + 1 clamped for MSE.
        var text = "y,p,t,u\n"
        for _ in 0..<500 { text += "a,a,1,2\nb,b,2,2\nb,a,3,3\na,a,4,1\n" }
        let frame = try PrivateDataFrame.load(csv: files.write("q.csv", text), schema: Schema(columns: [
            "y": .category(["a", "b"]), "p": .category(["a", "b"]), "t": .number(min: 0, max: 5), "u": .number(min: 0, max: 5),
        ]), datasetID: "rel")
        let b = try budget()
        let acc = try frame.releaseAccuracy(prediction: "p", label: "y", epsilon: 2, charging: b, noise: .seeded(5))
        #expect(abs(acc.value - 0.75) < 6 * acc.noiseStd[0])
        let cm = try frame.releaseConfusionMatrix(prediction: "p", label: "y", epsilon: 2, charging: b, noise: .seeded(6))
        #expect(cm.labels == ["true=a,predicted=a", "true=a,predicted=b", "true=b,predicted=a", "true=b,predicted=b"])
        for (v, truth) in zip(cm.values, [1000.0, 0, 500, 500]) { #expect(abs(v - truth) < 10 * cm.noiseStd[0]) }
        // Squared errors: 1, 0, 0, 9 → MSE 2.5.
        let mse = try frame.releaseMeanSquaredError(prediction: "u", label: "t", epsilon: 2, charging: b, noise: .seeded(7))
        #expect(abs(mse.value - 2.5) < 6 * mse.noiseStd[0])
        #expect(mse.mechanism.contains("= 12.5 (centred)"))      // (5 − 0)² / 2, in grid units of 2^(4 − 20)
        // Absolute errors: 1, 0, 0, 3 → MAE 1.0. Per-row error in [0, 5], so the centred sum's
        // sensitivity is 5 / 2. Tolerance as for MSE: 6 noise standard deviations.
        let mae = try frame.releaseMeanAbsoluteError(prediction: "u", label: "t", epsilon: 2, charging: b, noise: .seeded(8))
        #expect(abs(mae.value - 1.0) < 6 * mae.noiseStd[0])
        #expect(mae.mechanism.contains("= 2.5 (centred)"))
        #expect(mae.values[0] >= 0 && mae.values[0] <= 5)
        #expect(mae.epsilon == 2 && mae.query == "mae(u vs t)")
    }
}

@Suite("Pre-reserved allotments")
struct AllotmentTests {
    @Test func releasesDrawFromTheAllotmentUntilItIsUsedUp() throws {
        let files = TestFiles()
        let frame = try PrivateDataFrame.load(csv: files.write("a.csv", "x\n1\n2\n"),
                                              schema: Schema(columns: ["x": .number(min: 0, max: 2)]), datasetID: "a")
        let allotment = try ReservedAllotment(epsilon: 0.3, delta: 1e-6)
        let budget = ReleaseBudget.preReserved(allotment)
        for _ in 0..<3 { _ = try frame.releaseCount(epsilon: 0.1, charging: budget, noise: .seeded(1)) }
        #expect(allotment.remainingEpsilon == 0)
        #expect(throws: DataFrameError.self) { try frame.releaseCount(epsilon: 1e-9, charging: budget) }
        #expect(throws: DataFrameError.self) {
            try frame.releaseMean(of: "x", epsilon: 0.1, mechanism: .gaussian(delta: 1e-5), charging: .preReserved(try ReservedAllotment(epsilon: 1, delta: 1e-6)))
        }
    }
}
