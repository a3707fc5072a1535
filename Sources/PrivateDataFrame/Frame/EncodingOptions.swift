/// How a frame's columns become the numbers a model trains on. Everything is derived from the
/// schema (declared bounds and values), never from the data.
public struct EncodingOptions: Sendable, Equatable, Hashable {
    /// Target interval of number/integer columns, scaled by their declared bounds.
    public enum NumericRange: String, Sendable, Codable, CaseIterable {
        /// `(x − min) / (max − min)` in [0, 1].
        case unit
        /// `2 (x − min) / (max − min) − 1` in [−1, 1].
        case symmetric
    }
    /// Encoding of category feature columns.
    public enum CategoryEncoding: String, Sendable, Codable, CaseIterable {
        /// One column per declared value (0/1).
        case oneHot = "one_hot"
        /// One column holding the value's index (for an Embedding layer).
        case index
    }
    /// Encoding of the label column.
    public enum LabelEncoding: String, Sendable, Codable, CaseIterable {
        /// Category: position in the declared values; boolean: 0/1; numbers: the value itself.
        case classIndex = "class_index"
        /// Category: one column per declared value.
        case oneHot = "one_hot"
        /// The value (numbers as loaded and clamped; categories as index).
        case value
        /// Numbers scaled like features (`numericRange`).
        case scaled
    }

    public var numericRange: NumericRange
    public var categories: CategoryEncoding
    public var label: LabelEncoding
    /// The vocabulary of each text feature column (token ids `[max_length]` per row: 0 padding, 1 unknown).
    public var textVocabularies: [String: TokenVocabulary] = [:]

    public init(numericRange: NumericRange = .unit, categories: CategoryEncoding = .oneHot,
                label: LabelEncoding = .classIndex) {
        self.numericRange = numericRange
        self.categories = categories
        self.label = label
    }
}

/// A dense row-major Float matrix built from private data.
///
/// `package` visibility: other dpflow modules (the pipeline) may hand it to DP-SGD, but it is not
/// public API, and its values must never be printed, logged or exported.
package struct EncodedMatrix: Sendable {
    package var rows: Int
    package var columns: Int
    package var values: [Float]
    /// Names of the encoded columns (`color=red` for one-hot columns): public metadata.
    package var columnNames: [String]
}
