/// How a text column is cut into tokens.
public enum TextTokenUnit: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// Maximal runs of letters, digits and combining marks (an apostrophe between two letters stays inside the
    /// word: `don't`); punctuation, symbols and white space separate words and are dropped.
    case words
    /// One token per Unicode scalar; runs of white space become one `" "` token, control characters are dropped.
    /// (Scalars, not grapheme clusters: a cluster can be arbitrarily long on hostile input.)
    case characters
}

/// The public declaration of a text column: how a document becomes a bounded sequence of tokens.
///
/// Tokenisation, lower-casing, truncation to `maxLength` tokens and padding are **per-example transforms**:
/// each document's tokens depend on that document only, so they cost no privacy. The token strings never leave
/// the frame; the model sees token ids (`[B, maxLength]`, padding id 0, out-of-vocabulary id 1) under a
/// vocabulary (`TokenVocabulary`).
///
/// YAML: `review: {type: text, max_length: 256, lowercase: true, tokens: words}`.
public struct TextColumnSpec: Sendable, Equatable, Hashable {
    /// T, the number of tokens kept per document (later ones are dropped; shorter documents are padded).
    public var maxLength: Int
    /// Lower-case every token (Unicode lower-casing of the token's scalars).
    public var lowercase: Bool
    /// Word or character tokens.
    public var tokens: TextTokenUnit

    /// The largest `maxLength` accepted (a row then holds at most this many tokens).
    public static let maxLengthLimit = 4096
    /// A token longer than this many UTF-8 bytes is cut at the last scalar boundary before the limit, so one token
    /// allocates at most this much (times the lower-casing expansion, at most 3).
    public static let maxTokenBytes = 64

    /// - Parameters:
    ///   - maxLength: T in `1...4096`.
    ///   - lowercase: lower-case tokens (default true).
    ///   - tokens: `.words` (default) or `.characters`.
    /// - Throws: `TextColumnError.invalidSpec` when `maxLength` is out of range.
    public init(maxLength: Int, lowercase: Bool = true, tokens: TextTokenUnit = .words) throws {
        guard (1...Self.maxLengthLimit).contains(maxLength) else {
            throw TextColumnError.invalidSpec("max_length must be between 1 and \(Self.maxLengthLimit), got \(maxLength)")
        }
        self.maxLength = maxLength
        self.lowercase = lowercase
        self.tokens = tokens
    }

    /// The tokeniser this declaration describes.
    public var tokenizer: TextTokenizer { TextTokenizer(self) }
}
