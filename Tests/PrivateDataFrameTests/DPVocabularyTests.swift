import Foundation
import Testing
@testable import PrivateDataFrame

@Suite struct DPVocabularyTests {
    /// Random documents over a small alphabet of tokens, some with more than k distinct tokens.
    func documents(_ count: Int, seed: UInt64) -> [[String]] {
        var g = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let n = Int(g.next() % 30)
            return (0..<n).map { _ in "t\(g.next() % 50)" }
        }
    }

    @Test func oneDocumentChangesAtMostKCountsByOne() throws {
        let k = 5
        for trial in 0..<200 {
            let base = documents(40, seed: UInt64(trial))
            let extra = documents(1, seed: UInt64(10_000 + trial))[0] + ["only\(trial)", "only\(trial)"]
            // Same seed, the extra document last: the earlier documents draw identical subsamples.
            var b1 = RandomBits(.seeded(UInt64(trial))), b2 = RandomBits(.seeded(UInt64(trial)))
            let without = DPVocabularySelection.counts(base, k: k, &b1)
            let with = DPVocabularySelection.counts(base + [extra], k: k, &b2)
            var changed = 0
            for token in Set(without.keys).union(with.keys) {
                let d = (with[token] ?? 0) - (without[token] ?? 0)
                #expect(d == 0 || d == 1, "a count moved by \(d)")
                if d == 1 { changed += 1; #expect(extra.contains(token)) }
            }
            #expect(changed <= k)
            #expect(changed == min(k, Set(extra).count))
        }
    }

    @Test func contributionIsAUniformSubsetOfTheDistinctTokens() {
        // A document with 6 distinct tokens (one repeated) and k = 2: each token is chosen with probability 1/3.
        let doc = ["a", "b", "c", "d", "e", "f", "a", "a"]
        var bits = RandomBits(.seeded(7))
        var hits: [String: Int] = [:]
        let n = 30_000
        for _ in 0..<n {
            let c = DPVocabularySelection.contribution(of: doc, k: 2, &bits)
            #expect(c.count == 2 && Set(c).count == 2)
            for t in c { hits[t, default: 0] += 1 }
        }
        // Binomial(n, 1/3): 5 standard deviations.
        let p = 1.0 / 3, tol = 5 * (Double(n) * p * (1 - p)).squareRoot()
        for t in ["a", "b", "c", "d", "e", "f"] { #expect(abs(Double(hits[t] ?? 0) - Double(n) * p) < tol, "\(t): \(hits[t] ?? 0)") }
    }

    @Test(arguments: [(0.5, 1e-5, 1), (0.5, 1e-5, 20), (1.0, 1e-6, 64), (3.0, 1e-8, 5)])
    func thresholdMeetsDeltaAndIsTheSmallest(_ epsilon: Double, _ delta: Double, _ k: Int) throws {
        let spec = DPVocabularySpec(size: 100, epsilon: epsilon, delta: delta, maxTokensPerDocument: k)
        let (tau, a, b) = try DPVocabularySelection.parameters(spec)
        #expect(Double(a) / Double(b) >= Double(k) / epsilon)
        func leak(_ tau: Int64) -> Double {
            let p = DPVocabularySelection.keepProbability(count: 1, threshold: tau, scaleNumerator: a, denominator: b)
            return -expm1(Double(k) * log1p(-p))
        }
        #expect(leak(tau) <= delta)
        #expect(leak(tau - 1) > delta)
        // Gopi et al.'s continuous-Laplace threshold for unit weights, in counts: 1 + b·log(1/(2p*)), b = k/ε.
        let pStar = -expm1(log1p(-delta) / Double(k))
        let gopi = 1 + Double(k) / epsilon * log(1 / (2 * pStar))
        #expect(abs(Double(tau) - gopi) <= Double(k) / epsilon + 2)
    }

    /// A token in `count` documents is kept with the probability the mechanism says (binomial tolerance).
    @Test(arguments: [0, -3, 4])
    func keepRateMatchesTheMechanism(_ offset: Int64) throws {
        let spec = DPVocabularySpec(size: 10, epsilon: 1, delta: 1e-3, maxTokensPerDocument: 2)
        let (tau, a, b) = try DPVocabularySelection.parameters(spec)
        let count = tau + offset
        let docs = Array(repeating: ["x"], count: Int(count))
        let p = DPVocabularySelection.keepProbability(count: count, threshold: tau, scaleNumerator: a, denominator: b)
        let n = 4000
        var kept = 0
        for s in 0..<n {
            let r = try DPVocabularySelection.select(docs, spec: spec, noise: .seeded(UInt64(s) &* 0x9E37_79B9_7F4A_7C15 &+ 1))
            if r.vocabulary.tokens == ["x"] { kept += 1 }
            #expect(!r.isPrivate)
        }
        let tol = 5 * (Double(n) * p * (1 - p)).squareRoot() + 1
        #expect(abs(Double(kept) - Double(n) * p) < tol, "kept \(kept) of \(n), expected \(Double(n) * p)")
    }

    @Test func frequentTokensSurviveAndTopSizeIsKept() throws {
        // 2000 documents: "common" in all, "often" in half, "rare\(i)" unique to document i.
        let docs = (0..<2000).map { i in ["common", "rare\(i)"] + (i % 2 == 0 ? ["often"] : []) }
        let spec = DPVocabularySpec(size: 1, epsilon: 1, delta: 1e-5, maxTokensPerDocument: 3)
        let r = try DPVocabularySelection.select(docs, spec: spec, noise: .seeded(3))
        #expect(r.vocabulary.tokens == ["common"])
        let wide = try DPVocabularySelection.select(docs, spec: DPVocabularySpec(size: 10, epsilon: 1, delta: 1e-5, maxTokensPerDocument: 3), noise: .seeded(4))
        #expect(wide.vocabulary.tokens == ["common", "often"])
        #expect(try DPVocabularySelection.select(docs, spec: spec).isPrivate)
    }

    @Test(arguments: [
        DPVocabularySpec(size: 0, epsilon: 1, delta: 1e-5, maxTokensPerDocument: 3),
        DPVocabularySpec(size: 10, epsilon: 0, delta: 1e-5, maxTokensPerDocument: 3),
        DPVocabularySpec(size: 10, epsilon: .nan, delta: 1e-5, maxTokensPerDocument: 3),
        DPVocabularySpec(size: 10, epsilon: 1, delta: 0, maxTokensPerDocument: 3),
        DPVocabularySpec(size: 10, epsilon: 1, delta: 1e-5, maxTokensPerDocument: 0),
        DPVocabularySpec(size: 10, epsilon: 1e-15, delta: 1e-5, maxTokensPerDocument: 4096),
    ])
    func unusableSettingsAreTypedErrors(_ spec: DPVocabularySpec) {
        #expect(throws: TextColumnError.self) { try DPVocabularySelection.parameters(spec) }
    }

    @Test func planDescriptionShowsScaleAndThreshold() throws {
        let spec = DPVocabularySpec(size: 5000, epsilon: 0.5, delta: 1e-6, maxTokensPerDocument: 10)
        let text = try spec.planDescription(column: "review")
        #expect(text.contains("scale 20 documents") && text.contains("threshold 310 documents") && text.contains("ε = 0.5"))
    }

    @Test func frameReleaseChargesBeforeReading() throws {
        let files = TestFiles()
        let rows = (0..<300).map { "\"a b c \($0)\",1" }.joined(separator: "\n")
        let path = files.write("t.csv", "review,y\n" + rows + "\n")
        let schema = Schema(columns: ["review": ColumnSpec(.text(try TextColumnSpec(maxLength: 8))), "y": .integer(min: 0, max: 1)])
        let frame = try PrivateDataFrame.load(csv: path, schema: schema, datasetID: "t")
        let spec = DPVocabularySpec(size: 100, epsilon: 1, delta: 1e-5, maxTokensPerDocument: 4)
        let small = try ReservedAllotment(epsilon: 0.5, delta: 1e-5)
        #expect(throws: DataFrameError.self) { try frame.releaseVocabulary(of: "review", spec: spec, charging: .preReserved(small)) }
        let enough = try ReservedAllotment(epsilon: 1, delta: 1e-5)
        let r = try frame.releaseVocabulary(of: "review", spec: spec, charging: .preReserved(enough), noise: .seeded(1))
        #expect(Set(r.vocabulary.tokens) == ["a", "b", "c"])
        #expect(enough.remainingEpsilon < 1e-9)
        #expect(throws: DataFrameError.self) {
            try frame.releaseVocabulary(of: "y", spec: spec, charging: .preReserved(try ReservedAllotment(epsilon: 1, delta: 1e-5)))
        }
    }
}
