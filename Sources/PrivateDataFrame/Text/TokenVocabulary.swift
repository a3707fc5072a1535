import Foundation

/// Maps tokens to the ids a model sees: 0 is padding, 1 is out-of-vocabulary (OOV), known tokens or hash buckets
/// are `2..<size`.
///
/// Three kinds, each a choice in the pipeline file:
/// - **public** (`TokenVocabulary.load(publicFile:)`): a file of one token per line, e.g. from a public corpus;
///   no privacy cost.
/// - **hashing** (`TokenVocabulary(hashBuckets:)`): token → `2 + FNV-1a-64(UTF-8 bytes) mod buckets`; no cost, no
///   data dependence. The hash is **fixed and public**, not keyed: the buckets must be the same at training,
///   prediction and in an exported model (and reproducible outside dpflow), and a secret key would protect
///   nothing, since no data decides them. Collisions only merge tokens; they reveal nothing.
/// - **private** (`DPVocabularySelection`): the tokens a DP partition selection released; the tokens themselves are
///   the DP output.
public struct TokenVocabulary: Sendable, Equatable, Hashable {
    /// The padding id.
    public static let paddingID: Int32 = 0
    /// The id of a token the vocabulary does not know.
    public static let outOfVocabularyID: Int32 = 1
    /// The largest vocabulary (listed tokens or buckets).
    public static let maxEntries = 1 << 22
    /// The largest public vocabulary file, in bytes.
    public static let maxFileBytes = 64 << 20

    /// Listed tokens, in id order (id = 2 + position); empty for hashing.
    public let tokens: [String]
    /// Hash buckets, or nil for a listed vocabulary.
    public let hashBuckets: Int?
    private let index: [String: Int32]

    /// The number of ids, padding and OOV included: the embedding's input dimension.
    public var size: Int { 2 + (hashBuckets ?? tokens.count) }

    /// A listed vocabulary.
    /// - Throws: `TextColumnError.invalidSpec` for an empty or duplicated token, or too many tokens.
    public init(tokens: [String]) throws {
        guard tokens.count <= Self.maxEntries else {
            throw TextColumnError.invalidSpec("a vocabulary holds at most \(Self.maxEntries) tokens, got \(tokens.count)")
        }
        var index: [String: Int32] = [:]
        index.reserveCapacity(tokens.count)
        for (k, t) in tokens.enumerated() {
            guard !t.isEmpty else { throw TextColumnError.invalidSpec("vocabulary entry \(k + 1) is empty") }
            guard index.updateValue(Int32(k + 2), forKey: t) == nil else {
                throw TextColumnError.invalidSpec("vocabulary entry \(k + 1) repeats an earlier token")
            }
        }
        self.tokens = tokens
        self.hashBuckets = nil
        self.index = index
    }

    /// A hashing vocabulary of `buckets` ids after padding and OOV.
    /// - Throws: `TextColumnError.invalidSpec` unless `1 ≤ buckets ≤ maxEntries`.
    public init(hashBuckets buckets: Int) throws {
        guard (1...Self.maxEntries).contains(buckets) else {
            throw TextColumnError.invalidSpec("hash needs between 1 and \(Self.maxEntries) buckets, got \(buckets)")
        }
        tokens = []
        hashBuckets = buckets
        index = [:]
    }

    /// Reads a public vocabulary file: UTF-8, one token per line (a final newline and `\r\n` line ends are
    /// accepted), no empty or repeated lines. The file is public, so errors name its lines.
    /// - Parameter lowercase: lower-case the entries as the column's tokens are (repeats are refused after it).
    /// - Throws: `TextColumnError.vocabularyFile` naming file and line.
    public static func load(publicFile path: String, lowercase: Bool = false) throws -> TokenVocabulary {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TextColumnError.vocabularyFile(file: name, line: 0, reason: "cannot open the file")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maxFileBytes + 1)) ?? Data()
        guard data.count <= maxFileBytes else {
            throw TextColumnError.vocabularyFile(file: name, line: 0, reason: "larger than \(maxFileBytes >> 20) MiB")
        }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard lines.count <= maxEntries else {
            throw TextColumnError.vocabularyFile(file: name, line: 0, reason: "more than \(maxEntries) lines")
        }
        var tokens: [String] = []
        tokens.reserveCapacity(lines.count)
        var seen: [String: Int] = [:]
        for (k, raw) in lines.enumerated() {
            var bytes = raw
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            guard !bytes.isEmpty else { throw TextColumnError.vocabularyFile(file: name, line: k + 1, reason: "empty line") }
            guard bytes.count <= TextColumnSpec.maxTokenBytes else {
                throw TextColumnError.vocabularyFile(file: name, line: k + 1, reason: "a token is longer than \(TextColumnSpec.maxTokenBytes) bytes, which the tokeniser never produces")
            }
            guard var token = TextTokenizer.validatedString(bytes) else {
                throw TextColumnError.vocabularyFile(file: name, line: k + 1, reason: "not valid UTF-8")
            }
            if lowercase { token = TextTokenizer.lowercased(token) }
            if let earlier = seen.updateValue(k + 1, forKey: token) {
                throw TextColumnError.vocabularyFile(file: name, line: k + 1, reason: "repeats the token of line \(earlier)")
            }
            tokens.append(token)
        }
        guard !tokens.isEmpty else { throw TextColumnError.vocabularyFile(file: name, line: 0, reason: "no tokens") }
        return try TokenVocabulary(tokens: tokens)
    }

    /// Equal vocabularies have equal sizes and kinds; the tokens themselves are compared by `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(tokens.count)
        hasher.combine(hashBuckets)
        hasher.combine(tokens.first)
    }

    /// The id of one token.
    public func id(of token: String) -> Int32 {
        if let buckets = hashBuckets {
            return 2 + Int32(truncatingIfNeeded: Self.fnv1a64(token.utf8) % UInt64(buckets))
        }
        return index[token] ?? Self.outOfVocabularyID
    }

    /// One document's ids: its tokens' ids, padded with 0 (or cut) to `length`.
    public func encode(_ tokens: [String], length: Int) -> [Int32] {
        var out = [Int32](repeating: Self.paddingID, count: max(length, 0))
        for (k, t) in tokens.prefix(max(length, 0)).enumerated() { out[k] = id(of: t) }
        return out
    }

    /// FNV-1a, 64 bits (offset basis 0xcbf29ce484222325, prime 0x100000001b3), over the token's UTF-8 bytes.
    public static func fnv1a64<C: Sequence>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }
}
