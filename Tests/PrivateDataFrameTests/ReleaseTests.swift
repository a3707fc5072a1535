import Foundation
import Testing
@testable import PrivateDataFrame

@Suite("DP releases")
struct ReleaseTests {
    let files = TestFiles()

    func budget(_ name: String = "l.sqlite", dataset: String = "rel") throws -> ReleaseBudget {
        let ledger = try BudgetLedger(path: files.path(name))
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
    /// For noise with kurtosis κ, Var(s²)/σ⁴ ≈ (κ − 1)/n: Laplace κ = 6 → sd(s²/σ²) = √(5/n);
    /// Gaussian κ = 3 → √(2/n). With n = 20,000 cells, 5 sd is 0.079 (Laplace), 0.050 (Gaussian).
    @Test(arguments: [(ReleaseMechanism.laplace, 0.5, 5.0), (.gaussian(delta: 1e-5), 1.0, 2.0)])
    func histogramNoiseHasTheReportedScale(mechanism: ReleaseMechanism, epsilon: Double, kurtosisMinusOne: Double) throws {
        let k = 20_000
        let frame = try wideFrame(categories: k, repeats: 1)
        let r = try frame.releaseHistogram(of: "c", epsilon: epsilon, mechanism: mechanism, charging: budget(), noise: .seeded(11))
        #expect(r.values.count == k && !r.isPrivate)
        let noise = r.values.map { $0 - 1 }              // every true count is 1
        let mean = noise.reduce(0, +) / Double(k)
        let variance = noise.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(k - 1)
        let expected = r.noiseStd[0] * r.noiseStd[0]
        let tolerance = 5 * (kurtosisMinusOne / Double(k)).squareRoot()
        #expect(abs(variance / expected - 1) < tolerance, "variance ratio \(variance / expected)")
        // Mean of the noise: sd σ/√n; 5 sd.
        #expect(abs(mean) < 5 * r.noiseStd[0] / Double(k).squareRoot())
        if case .laplace = mechanism { #expect(abs(r.noiseStd[0] - 2.0.squareRoot() / epsilon) < 1e-12) }
        // About 95% of the intervals cover the truth: binomial sd √(0.05·0.95/n) ≈ 0.0015; 5 sd.
        let covered = zip(r.confidenceIntervals95, noise).filter { $0.0.lower <= 1 && 1 <= $0.0.upper }.count
        #expect(abs(Double(covered) / Double(k) - 0.95) < 5 * (0.05 * 0.95 / Double(k)).squareRoot())
    }

    @Test func analyticGaussianSigmaIsTight() {
        for (eps, delta) in [(0.1, 1e-5), (1.0, 1e-5), (4.0, 1e-6)] {
            let s = ReleaseMechanism.analyticGaussianSigma(epsilon: eps, delta: delta, sensitivity: 1)
            #expect(ReleaseMechanism.gaussianDelta(sigma: s, epsilon: eps, sensitivity: 1) <= delta)
            #expect(ReleaseMechanism.gaussianDelta(sigma: s * (1 - 1e-6), epsilon: eps, sensitivity: 1) > delta)
            // Never worse than the classic bound (valid for ε < 1).
            if eps < 1 { #expect(s <= (2 * log(1.25 / delta)).squareRoot() / eps) }
            // Scales linearly with the sensitivity.
            let s3 = ReleaseMechanism.analyticGaussianSigma(epsilon: eps, delta: delta, sensitivity: 3)
            #expect(abs(s3 / s - 3) < 1e-8)
        }
    }

    @Test func countSumMeanAreNearTheTruthWithinTheirReportedNoise() throws {
        let frame = try wideFrame(categories: 100, repeats: 100)   // 10,000 rows; x = (i + j) % 10
        let b = try budget()
        let trueSum = 45.0 * 1000
        let count = try frame.releaseCount(epsilon: 1, charging: b, noise: .seeded(1))
        #expect(abs(count.value - 10_000) < 10 * count.noiseStd[0])    // Laplace tails: P(|L| > 10σ) < 1e-6
        let sum = try frame.releaseSum(of: "x", epsilon: 1, charging: b, noise: .seeded(2))
        #expect(sum.noiseStd[0] == 10 * 2.0.squareRoot())             // sensitivity max(|0|, |10|) = 10
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
        let ledger = try BudgetLedger(path: files.path("small.sqlite"))
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
        #expect(mse.mechanism.contains("sum sensitivity 12.5"))      // (5 − 0)² / 2
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
