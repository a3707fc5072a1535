import Foundation
import Testing
import PrivacyAccounting
import PrivateLearning
import StandardPlugins
@testable import PrivateDataFrame

/// ROC AUC from DP per-class score histograms (`releaseScoreHistograms`, `ScoreHistogramAUC`).
@Suite struct ScoreHistogramAUCTests {
    /// The Mann–Whitney AUC by counting pairs (ties one half): the reference for `exactAUC`.
    func pairwiseAUC(_ s: [Double], _ y: [Bool]) -> Double {
        var sum = 0.0, pairs = 0.0
        for i in s.indices where y[i] {
            for j in s.indices where !y[j] {
                pairs += 1
                sum += s[i] > s[j] ? 1 : (s[i] == s[j] ? 0.5 : 0)
            }
        }
        return sum / pairs
    }

    @Test func exactAUCIsTheMannWhitneyStatisticWithTies() {
        var g = SplitMix64(seed: 3)
        for trial in 0..<20 {
            let n = 5 + trial * 7
            // Scores on a coarse grid, so that ties occur.
            let s = (0..<n).map { _ in Double(g.next() % 11) / 10 }
            var y = (0..<n).map { _ in g.next() % 3 == 0 }
            y[0] = true; y[1] = false
            let exact = ScoreHistogramAUC.exactAUC(scores: s, positive: y)
            #expect(abs((exact ?? -1) - pairwiseAUC(s, y)) < 1e-12)
        }
        #expect(ScoreHistogramAUC.exactAUC(scores: [0.1, 0.2], positive: [true, true]) == nil)
    }

    @Test func histogramAUCEqualsTheExactAUCOfTheBinnedScores() {
        var g = SplitMix64(seed: 5)
        let bins = 20
        let s = (0..<500).map { _ in Double(g.next() % 1_000_000) / 1_000_000 }
        let y = s.map { x in Double(g.next() % 1000) / 1000 < x }   // positives score higher on average
        var neg = [Double](repeating: 0, count: bins), pos = neg
        for (x, p) in zip(s, y) {
            if p { pos[ScoreHistogramAUC.bin(x, bins: bins)] += 1 } else { neg[ScoreHistogramAUC.bin(x, bins: bins)] += 1 }
        }
        let binned = s.map { Double(ScoreHistogramAUC.bin($0, bins: bins)) }
        let fromHistograms = ScoreHistogramAUC.auc(negative: neg, positive: pos)
        #expect(abs((fromHistograms ?? -1) - pairwiseAUC(binned, y)) < 1e-12)
        // Binning loses at most half the mass of the pairs sharing a bin.
        #expect(abs((fromHistograms ?? -1) - pairwiseAUC(s, y)) < 0.02)
    }

    /// A frame with a score column in [0, 1] and a two-class label; the model is the identity (flatten of one input),
    /// so each row's positive-class score is its `score` value.
    func frame(rows: [(Double, String)]) throws -> PrivateDataFrame {
        let dir = NSTemporaryDirectory() + "auc-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let csv = "score,label\n" + rows.map { "\($0.0),\($0.1)\n" }.joined()
        try csv.write(toFile: dir + "/d.csv", atomically: true, encoding: .utf8)
        let schema = Schema(columns: ["score": ColumnSpec(.number(min: 0, max: 1)), "label": ColumnSpec(.category(values: ["neg", "pos"]))])
        return try PrivateDataFrame.load(csv: dir + "/d.csv", schema: schema, datasetID: "auc-test").select(features: ["score"], label: "label")
    }

    func identity() throws -> Sequential { try Sequential(inputShape: [1], layers: [Flatten()], seed: 1) }

    @Test func oneRowMovesExactlyOneCellByOne() throws {
        var g = SplitMix64(seed: 11)
        var rows = (0..<60).map { _ in (Double(g.next() % 1000) / 1000, g.next() % 2 == 0 ? "pos" : "neg") }
        let base = try frame(rows: rows)
        rows.append((0.537, "pos"))
        let plusOne = try frame(rows: rows)
        let budget = ReleaseBudget.preReserved(try ReservedAllotment(epsilon: 100, delta: 0))
        let model = try identity()
        for seed in UInt64(0)..<20 {
            // Same seed and cell count: the same noise in every cell, so the difference is the query's.
            let a = try base.releaseScoreHistograms(model: model, encoding: EncodingOptions(), label: "label", bins: 10, epsilon: 1,
                                                    charging: budget, noise: .seeded(seed))
            let b = try plusOne.releaseScoreHistograms(model: model, encoding: EncodingOptions(), label: "label", bins: 10, epsilon: 1,
                                                       charging: budget, noise: .seeded(seed))
            let diff = zip(a.values, b.values).map { $1 - $0 }
            #expect(diff.filter { $0 != 0 } == [1])
            #expect(diff[10 + 5] == 1)   // class pos, bin ⌊0.537·10⌋ = 5
            #expect(!a.isPrivate)
        }
    }

    @Test func lowNoiseReleaseRecoversTheExactBinnedAUC() throws {
        var g = SplitMix64(seed: 13)
        let rows = (0..<400).map { _ -> (Double, String) in
            let s = Double(g.next() % 1000) / 1000
            return (s, Double(g.next() % 1000) / 1000 < s ? "pos" : "neg")
        }
        let f = try frame(rows: rows)
        let model = try identity()
        let budget = ReleaseBudget.preReserved(try ReservedAllotment(epsilon: 1e6, delta: 0))
        let r = try f.releaseScoreHistograms(model: model, encoding: EncodingOptions(), label: "label", bins: 50, epsilon: 1e4,
                                             charging: budget, noise: .seeded(1))
        let roc = try ScoreHistogramAUC(release: r)
        let exact = try #require(try f.exactAUC(model: model, encoding: EncodingOptions(), label: "label"))
        // At ε = 10⁴ the noise is almost always 0: the histogram AUC is the binned one, within the binning error.
        #expect(abs((roc.auc ?? -1) - exact) < 0.02)
        #expect(roc.noiseStd < 1e-3)
    }

    /// The reported noise std (a bootstrap from one release) against the spread of AUC over many releases at ε = 0.5.
    @Test func reportedNoiseStdMatchesTheSpreadOfReleases() throws {
        var g = SplitMix64(seed: 17)
        let rows = (0..<600).map { _ -> (Double, String) in
            let s = Double(g.next() % 1000) / 1000
            return (s, Double(g.next() % 1000) / 1000 < s ? "pos" : "neg")
        }
        let f = try frame(rows: rows)
        let model = try identity()
        let budget = ReleaseBudget.preReserved(try ReservedAllotment(epsilon: 1e6, delta: 0))
        var aucs: [Double] = [], reported: [Double] = []
        for seed in UInt64(0)..<150 {
            let r = try f.releaseScoreHistograms(model: model, encoding: EncodingOptions(), label: "label", bins: 10, epsilon: 0.5,
                                                 charging: budget, noise: .seeded(seed))
            let roc = try ScoreHistogramAUC(release: r)
            if let a = roc.auc { aucs.append(a); reported.append(roc.noiseStd) }
        }
        let mean = aucs.reduce(0, +) / Double(aucs.count)
        let spread = (aucs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(aucs.count - 1)).squareRoot()
        let meanReported = reported.reduce(0, +) / Double(reported.count)
        // Sampling error of a std over 150 draws is about 1/√300 ≈ 6 %; the bootstrap's Gaussian stand-in for the
        // discrete Laplace noise and its evaluation at noisy cells allow more: accept a factor 1.5 either way.
        #expect(meanReported > spread / 1.5 && meanReported < spread * 1.5, "reported \(meanReported), spread \(spread)")
    }
}

/// Text columns encoded as token ids for a model.
@Suite struct TextEncodingTests {
    func frame() throws -> PrivateDataFrame {
        let dir = NSTemporaryDirectory() + "text-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "review,label\n\"A fine, fine film\",fresh\nDull.,rotten\n,fresh\nfine dull fine film ok,rotten\n"
            .write(toFile: dir + "/d.csv", atomically: true, encoding: .utf8)
        let schema = Schema(columns: ["review": ColumnSpec(.text(try TextColumnSpec(maxLength: 4))),
                                      "label": ColumnSpec(.category(values: ["fresh", "rotten"]))])
        return try PrivateDataFrame.load(csv: dir + "/d.csv", schema: schema, datasetID: "t").select(features: ["review"], label: "label")
    }

    @Test func tokenIDsUnderAVocabularyArePaddedAndCut() throws {
        let f = try frame()
        let vocabulary = try TokenVocabulary(tokens: ["fine", "film", "dull"])
        var options = EncodingOptions()
        options.textVocabularies = ["review": vocabulary]
        #expect(try f.encodedFeatureWidth(options) == 4)
        let x = try f.encodedFeatures(options)
        #expect(x.columns == 4 && x.rows == 4)
        #expect(x.values == [1, 2, 2, 3,   4, 0, 0, 0,   0, 0, 0, 0,   2, 4, 2, 3])
        // A view (a split part) encodes its own rows.
        let (train, _) = try f.split(testFraction: 0.5, seed: 0, key: .position)
        let y = try train.encodedFeatures(options)
        #expect(y.columns == 4 && y.values.count == 4 * train.rowCount)
        let whole = (0..<4).map { Array(x.values[$0 * 4..<($0 + 1) * 4]) }
        for r in 0..<train.rowCount { #expect(whole.contains(Array(y.values[r * 4..<(r + 1) * 4]))) }
        // Without a vocabulary the column cannot become features.
        #expect(throws: DataFrameError.self) { try f.encodedFeatures(EncodingOptions()) }
    }

    @Test func hashingIDsAreTheFNVBuckets() throws {
        let f = try frame()
        let vocabulary = try TokenVocabulary(hashBuckets: 7)
        var options = EncodingOptions()
        options.textVocabularies = ["review": vocabulary]
        let x = try f.encodedFeatures(options)
        #expect(Array(x.values[4..<8]) == [Float(vocabulary.id(of: "dull")), 0, 0, 0])
        #expect(x.values.allSatisfy { $0 >= 0 && $0 < 9 })
    }

    @Test func exactVocabularyRanksByDocumentFrequency() throws {
        let f = try frame()
        // fine: 2 documents (twice in the first), dull: 2, film: 2, a: 1, ok: 1 (cut at 4 tokens: "ok" is the 5th).
        let v = try f.exactVocabulary(of: "review", size: 3)
        #expect(v.tokens == ["dull", "film", "fine"])
    }
}
