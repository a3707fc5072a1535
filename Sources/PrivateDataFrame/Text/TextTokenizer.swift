/// Cuts one document (UTF-8 bytes) into at most `maxLength` tokens, as its `TextColumnSpec` says.
///
/// Bounded on hostile input: it reads the bytes once, stops after `maxLength` tokens (later bytes are not read,
/// not even validated), cuts a token at `TextColumnSpec.maxTokenBytes`, and so allocates at most
/// `maxLength × maxTokenBytes × 3` bytes of tokens whatever the field's length. Invalid UTF-8 in the part it
/// reads throws `TextColumnError.invalidUTF8`.
public struct TextTokenizer: Sendable, Equatable {
    public let spec: TextColumnSpec

    public init(_ spec: TextColumnSpec) { self.spec = spec }

    /// The tokens of `text`, in order, at most `spec.maxLength`.
    /// - Throws: `TextColumnError.invalidUTF8` when the bytes read are not UTF-8.
    public func tokens<C: Collection>(utf8 bytes: C) throws -> [String] where C.Element == UInt8 {
        var out: [String] = []
        out.reserveCapacity(min(spec.maxLength, 64))
        var current = String.UnicodeScalarView()
        var currentBytes = 0
        var pendingApostrophe = false
        var lastWasSpace = false
        let limit = spec.maxLength
        let lower = spec.lowercase

        func flush() {
            guard !current.isEmpty else { return }
            let token = String(current)
            out.append(lower ? Self.lowercased(token) : token)
            current = String.UnicodeScalarView()
            currentBytes = 0
        }
        func appendScalar(_ s: Unicode.Scalar) {
            let n = UTF8.width(s)
            guard currentBytes + n <= TextColumnSpec.maxTokenBytes else { return }   // cut long tokens
            current.append(s)
            currentBytes += n
        }

        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        decoding: while out.count < limit {
            switch decoder.decode(&iterator) {
            case .emptyInput: break decoding
            case .error: throw TextColumnError.invalidUTF8
            case let .scalarValue(s):
                switch spec.tokens {
                case .characters:
                    if s.properties.isWhitespace {
                        if !lastWasSpace { out.append(" "); lastWasSpace = true }
                    } else if s.properties.generalCategory == .control || s.properties.generalCategory == .format {
                        continue
                    } else {
                        lastWasSpace = false
                        let t = String(Character(s))
                        out.append(lower ? Self.lowercased(t) : t)
                    }
                case .words:
                    if Self.isWordScalar(s) {
                        if pendingApostrophe { appendScalar("'"); pendingApostrophe = false }
                        appendScalar(s)
                    } else if (s == "'" || s == "\u{2019}") && !current.isEmpty && !pendingApostrophe {
                        pendingApostrophe = true
                    } else {
                        pendingApostrophe = false
                        flush()
                    }
                }
            }
        }
        if spec.tokens == .words && out.count < limit { flush() }
        return out
    }

    /// Convenience for a Swift string.
    public func tokens(_ text: String) throws -> [String] { try tokens(utf8: text.utf8) }

    /// Letters, digits and combining marks.
    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII {
            let v = s.value
            return (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v)
        }
        let p = s.properties
        if p.isAlphabetic { return true }
        switch p.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// The bytes as a string, or nil when they are not valid UTF-8.
    static func validatedString<C: Collection>(_ bytes: C) -> String? where C.Element == UInt8 {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var scalars = String.UnicodeScalarView()
        while true {
            switch decoder.decode(&iterator) {
            case .emptyInput: return String(scalars)
            case .error: return nil
            case let .scalarValue(s): scalars.append(s)
            }
        }
    }

    /// Lower-cased, still within `maxTokenBytes` (lower-casing can lengthen a token; the tail is cut at a scalar
    /// boundary).
    static func lowercased(_ token: String) -> String {
        let l = token.lowercased()
        guard l.utf8.count > TextColumnSpec.maxTokenBytes else { return l }
        var out = String.UnicodeScalarView()
        var n = 0
        for s in l.unicodeScalars {
            n += UTF8.width(s)
            if n > TextColumnSpec.maxTokenBytes { break }
            out.append(s)
        }
        return String(out)
    }
}
