import Foundation

/// A vocabulary chosen from the private texts by DP partition selection (a DP set union / top-k).
///
/// Mechanism (Laplace thresholding: Korolova et al. 2009; for users with several items, Gopi et al. 2020,
/// "Differentially private set union", and Desfontaines et al. 2022, "Differentially private partition
/// selection", which discuss users contributing to several partitions). The threshold below is derived here, for
/// the exact discrete noise, and checked by tests (δ met, τ minimal); it is not copied from either paper:
/// 1. Each document contributes its **set** of distinct tokens; when that set has more than
///    `maxTokensPerDocument = k` tokens (public), k of them are chosen uniformly at random (secure generator).
///    So adding or removing one document changes at most k token counts, each by exactly 1 (L1 sensitivity k).
/// 2. Every token's count gets exact discrete Laplace noise of scale t ≥ k/ε (`ReleaseMechanism.laplaceScale`,
///    integers only): on the tokens present in both neighbours this is ε-DP.
/// 3. A token is kept when its noisy count is at least the integer threshold τ. A token that only the added
///    document has has count 1 and is kept with probability p = P(Z ≥ τ − 1) = r^(τ−1) / (1 + r), r = e^(−1/t)
///    (the discrete Laplace tail). That document has at most k such tokens, so the chance that any of them shows
///    is 1 − (1 − p)^k; τ is the smallest integer with 1 − (1 − p)^k ≤ δ, i.e. p ≤ 1 − (1 − δ)^(1/k). It has the
///    form of Gopi et al.'s weighted-Laplace threshold ρ = max_{t ≤ Δ₀} [1/t + (1/ε)·log(1/(2(1 − (1 − δ)^(1/t))))]
///    (as we recall it) for unit weights, with the continuous tail ½e^(−x/b) replaced by the exact discrete one.
///    The whole is (ε, δ)-DP under add/remove of one document.
/// 4. Of the kept tokens, the `size` with the largest noisy counts form the vocabulary (ties by UTF-8 byte order),
///    ids by that order. This is post-processing of the released set with its noisy counts; only the tokens are
///    returned (the counts are not).
///
/// Under replace-one neighbours a document change moves up to 2k counts (k down, k up): the ε of this
/// selection is then 2ε for the same noise; `DPVocabularySpec.relationFactor` says so.
public enum DPVocabularySelection {
    /// The result: the vocabulary and what the mechanism used (all public: functions of the declared settings).
    public struct Result: Sendable, Equatable {
        /// The selected tokens as a vocabulary (ids 2… in decreasing noisy count).
        public let vocabulary: TokenVocabulary
        /// The integer threshold τ on noisy counts.
        public let threshold: Int64
        /// The discrete Laplace scale t = numerator/denominator (counts).
        public let scaleNumerator: UInt64
        public let scaleDenominator: UInt64
        /// False when the noise and the subsampling came from a seeded (test) generator.
        public let isPrivate: Bool
    }

    /// The threshold and scale for a specification, without data: `plan` shows them.
    /// - Throws: `TextColumnError.invalidSpec` when ε, δ or k cannot be met by the exact sampler.
    public static func parameters(_ spec: DPVocabularySpec) throws -> (threshold: Int64, scaleNumerator: UInt64, scaleDenominator: UInt64) {
        try spec.validate()
        let scale: (UInt64, UInt64)
        do { scale = try ReleaseMechanism.laplaceScale(l1: UInt64(spec.maxTokensPerDocument), epsilon: spec.epsilon) }
        catch { throw TextColumnError.invalidSpec("private vocabulary: \(error)") }
        let (a, b) = scale
        return (try threshold(scaleNumerator: a, denominator: b, k: spec.maxTokensPerDocument, delta: spec.delta), a, b)
    }

    /// The smallest integer τ ≥ 1 with 1 − (1 − P(Z ≥ τ − 1))^k ≤ δ for Z discrete Laplace of scale a/b.
    static func threshold(scaleNumerator a: UInt64, denominator b: UInt64, k: Int, delta: Double) throws -> Int64 {
        let t = Double(a) / Double(b)
        let logR = -1 / t
        let r = Foundation.exp(logR)
        // p* = 1 − (1 − δ)^(1/k), computed without cancellation.
        let pStar = -Foundation.expm1(Foundation.log1p(-delta) / Double(k))
        guard pStar > 0, pStar.isFinite else { throw TextColumnError.invalidSpec("private vocabulary: δ = \(delta) is too small") }
        let logPStar = Foundation.log(pStar)
        // log P(Z ≥ m) = m·log r − log(1 + r), m ≥ 0.
        func logTail(_ m: Double) -> Double { m * logR - Foundation.log1p(r) }
        var m = max(0, ((logPStar + Foundation.log1p(r)) / logR).rounded(.up))
        // Guard the rounding of the logarithms: step up until the bound holds with a relative margin.
        while logTail(m) > logPStar - 1e-12 * Swift.abs(logPStar) { m += 1 }
        guard m < 0x1p52 else { throw TextColumnError.invalidSpec("private vocabulary: the threshold is out of range") }
        return Int64(m) + 1
    }

    /// P(a token of count `count` is kept) for threshold τ and scale a/b: P(count + Z ≥ τ).
    public static func keepProbability(count: Int64, threshold: Int64, scaleNumerator a: UInt64, denominator b: UInt64) -> Double {
        let t = Double(a) / Double(b), r = Foundation.exp(-1 / t)
        let m = Double(threshold - count)          // need Z ≥ m
        if m <= 0 {
            // 1 − P(Z ≤ m − 1) = 1 − P(Z ≥ 1 − m) by symmetry.
            return 1 - Foundation.pow(r, 1 - m) / (1 + r)
        }
        return Foundation.pow(r, m) / (1 + r)
    }

    /// Each document's contribution: its distinct tokens, at most k of them chosen uniformly at random (partial
    /// Fisher–Yates with exact uniform integers) when it has more. The distinct tokens are put in UTF-8 byte order
    /// first (a set's iteration order varies between instances), so a seeded run is reproducible.
    static func contribution(of document: [String], k: Int, _ bits: inout RandomBits) -> [String] {
        var distinct = Array(Set(document)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        if distinct.count > k {
            for i in 0..<k {
                let j = i + Int(bits.uniform(below: UInt64(distinct.count - i)))
                distinct.swapAt(i, j)
            }
            distinct.removeSubrange(k...)
        }
        return distinct
    }

    /// Per-token document counts of the contributions (the query whose sensitivity the mechanism relies on).
    static func counts<S: Sequence>(_ documents: S, k: Int, _ bits: inout RandomBits) -> [String: Int64] where S.Element == [String] {
        var counts: [String: Int64] = [:]
        for doc in documents {
            for token in contribution(of: doc, k: k, &bits) { counts[token, default: 0] += 1 }
        }
        return counts
    }

    /// Runs the selection over tokenised documents.
    ///
    /// Callers reserve (ε, δ) in the ledger **before** the documents are read; this function reads them once.
    /// - Parameters:
    ///   - documents: each document's tokens (as the column's tokeniser produced them).
    ///   - spec: size, ε, δ and k (all public).
    ///   - noise: `.secure` (the default and the only private choice) or a seeded generator for tests.
    /// - Throws: `TextColumnError.invalidSpec` for unusable settings.
    /// - Complexity: O(total tokens + distinct tokens · log) time; memory proportional to the distinct tokens.
    public static func select<S: Sequence>(_ documents: S, spec: DPVocabularySpec, noise: ReleaseNoise = .secure) throws -> Result
    where S.Element == [String] {
        // Fail closed: the token set of a shard is not an integer grid sum, so a data-parallel job cannot combine it.
        if PartialSums.isDistributed {
            throw TextColumnError.invalidSpec("a DP vocabulary cannot be selected in a data-parallel (MPI) run; declare a public vocabulary file")
        }
        let (tau, a, b) = try parameters(spec)
        var bits = RandomBits(noise)
        let counts = Self.counts(documents, k: spec.maxTokensPerDocument, &bits)
        let sampler: DiscreteLaplaceSampler
        do { sampler = try DiscreteLaplaceSampler(scaleNumerator: a, denominator: b) }
        catch { throw TextColumnError.invalidSpec("private vocabulary: \(error)") }
        var kept: [(token: String, noisy: Int64)] = []
        // Tokens in a fixed (sorted) order so that a seeded run is reproducible; with secure noise the order is moot.
        for token in counts.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let noisy = counts[token]! + sampler.sample(&bits)
            if noisy >= tau { kept.append((token, noisy)) }
        }
        kept.sort { $0.noisy != $1.noisy ? $0.noisy > $1.noisy : $0.token.utf8.lexicographicallyPrecedes($1.token.utf8) }
        let chosen = kept.prefix(spec.size).map { $0.token }
        return Result(vocabulary: try TokenVocabulary(tokens: chosen), threshold: tau,
                      scaleNumerator: a, scaleDenominator: b, isPrivate: bits.isPrivate)
    }
}

/// The public settings of a private vocabulary: `dp: {size: 5000, epsilon: 0.5}` with
/// `max_tokens_per_document: k` and the δ the selection is charged.
public struct DPVocabularySpec: Sendable, Equatable, Hashable {
    /// The largest number of tokens kept (the vocabulary may be smaller: only tokens above the threshold).
    public var size: Int
    /// ε charged for the selection (add/remove of one document).
    public var epsilon: Double
    /// δ charged for the selection: the chance that a token only one document has is released.
    public var delta: Double
    /// k: distinct tokens one document contributes at most (public; more are subsampled uniformly).
    public var maxTokensPerDocument: Int

    public init(size: Int, epsilon: Double, delta: Double, maxTokensPerDocument: Int) {
        self.size = size
        self.epsilon = epsilon
        self.delta = delta
        self.maxTokensPerDocument = maxTokensPerDocument
    }

    /// ε multiplier under replace-one neighbours (one document's change moves 2k counts).
    public static let replaceOneFactor = 2.0

    /// - Throws: `TextColumnError.invalidSpec` naming the setting.
    public func validate() throws {
        func fail(_ why: String) -> TextColumnError { .invalidSpec("private vocabulary: \(why)") }
        guard (1...TokenVocabulary.maxEntries).contains(size) else { throw fail("size must be between 1 and \(TokenVocabulary.maxEntries)") }
        guard epsilon.isFinite, epsilon > 0, epsilon <= 100 else { throw fail("epsilon must be in (0, 100]") }
        guard delta.isFinite, delta > 0, delta < 1 else { throw fail("delta must be in (0, 1)") }
        guard (1...TextColumnSpec.maxLengthLimit).contains(maxTokensPerDocument) else {
            throw fail("max_tokens_per_document must be between 1 and \(TextColumnSpec.maxLengthLimit)")
        }
    }
}

extension DPVocabularySpec {
    /// What `dpflow plan` shows for this selection, computed without data: the mechanism, its scale, the threshold
    /// and the (ε, δ) it is charged.
    /// - Throws: `TextColumnError.invalidSpec` for unusable settings.
    public func planDescription(column: String) throws -> String {
        let (tau, a, b) = try DPVocabularySelection.parameters(self)
        let g = DiscreteLaplaceSampler.gcd(a, b)
        let scale = b == g ? "\(a / g)" : "\(a / g)/\(b / g)"
        return "private vocabulary of '\(column)': at most \(size) tokens by DP partition selection over per-document token sets "
            + "(k = \(maxTokensPerDocument) tokens per document), discrete Laplace scale \(scale) documents, "
            + "threshold \(tau) documents; ε = \(epsilon), δ = \(delta) (add/remove one document)"
    }
}
