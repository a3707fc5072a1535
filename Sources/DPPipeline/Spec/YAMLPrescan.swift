/// Checks on pipeline text that run before the YAML parser builds anything: the size of the text, anchors and
/// aliases, and nesting. A "billion laughs" file of under 1 KB (nine anchors, each aliasing the previous one
/// ten times) would otherwise expand to 10⁹ nodes while a tree is composed or walked.
///
/// The scan is *conservative* with respect to libyaml's scanner (the one Yams uses): every anchor or alias that
/// libyaml would read is reported, so the composer never sees one. Text that merely looks like an anchor may be
/// reported too (see `anchorOrAlias`); the message says how to write it instead.
///
/// Why it is conservative:
/// - libyaml reads `&` / `*` as an anchor / alias only at the start of a token, and then requires at least one
///   character of `[0-9A-Za-z_-]` after it. A token never starts right after an ASCII letter or digit (plain
///   scalars, tags and anchor names would have absorbed the character, or libyaml reports an error), so
///   every `&`/`*` that is not preceded by `[0-9A-Za-z]` and is followed by `[0-9A-Za-z_-]` is a candidate,
///   inside quoted, plain and block scalars and comments too.
/// - The only text skipped is a comment candidate: from a `#` that follows a blank, a line break or the start of
///   the text, to the end of its line, and only when that part of the line holds no `'` or `"`. Whatever
///   libyaml is doing at such a `#` — a comment; the end of a plain scalar followed by a comment; the inside of a
///   quoted scalar that cannot close before the line ends (no quote character); a line of a block scalar — no
///   token starts in the skipped part. Line ends are every break libyaml knows (LF, CR, NEL, LS, PS).
/// - Nesting: libyaml's block indentation stack grows only at strictly increasing columns, and a block
///   collection starts at a token at the end of its line's prefix of blanks and compact indicators (`- `,
///   `? `, `: `, `--- `); so block depth ≤ 2·(widest prefix + 2) (the factor 2 for sequences written at the
///   indentation of their parent key). Flow depth ≤ the number of `[` and `{` outside skipped comments.
///   (libyaml itself also stops at 1000 nested levels; these bounds keep the scan's own promise independent
///   of that setting.)
enum YAMLPrescan {
    /// Largest pipeline file accepted, in bytes (pipeline files are small text files).
    static let maxBytes = 1 << 20
    /// Most `[` and `{` characters accepted (a bound on flow nesting).
    static let maxFlowOpeners = 2_000
    /// Widest line prefix of blanks and compact indicators accepted, in columns (a bound on block nesting).
    static let maxIndentation = 200

    /// - Returns: the first problem found, or nil when the text may be handed to the YAML parser.
    static func check(_ text: String, file: String) -> PipelineDiagnostic? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(text.utf8.count, maxBytes + 1))
        for b in text.utf8 {
            bytes.append(b)
            if bytes.count > maxBytes { break }
        }
        if bytes.count > maxBytes {
            return PipelineDiagnostic(SourcePosition(file: file, line: 1, column: 1),
                                      "the pipeline file is larger than \(maxBytes / 1024) KiB; pipeline files are small text files")
        }
        return scan(bytes, file: file)
    }

    static func isNameByte(_ b: UInt8) -> Bool {
        isAlphanumeric(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }

    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    /// Length in bytes of the line break at `i` (LF, CR LF, CR, NEL, LS, PS), or 0.
    static func breakLength(_ bytes: [UInt8], _ i: Int) -> Int {
        let b = bytes[i]
        if b == 0x0A { return 1 }
        if b == 0x0D { return i + 1 < bytes.count && bytes[i + 1] == 0x0A ? 2 : 1 }
        if b == 0xC2, i + 1 < bytes.count, bytes[i + 1] == 0x85 { return 2 }
        if b == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 { return 3 }
        return 0
    }

    static func scan(_ bytes: [UInt8], file: String) -> PipelineDiagnostic? {
        var line = 1, column = 1
        var i = 0
        var flowOpeners = 0
        var atLineStart = true
        func position() -> SourcePosition { SourcePosition(file: file, line: line, column: column) }
        while i < bytes.count {
            let b = bytes[i]
            let breakBytes = breakLength(bytes, i)
            if breakBytes > 0 {
                i += breakBytes
                line += 1
                column = 1
                atLineStart = true
                continue
            }
            if atLineStart {
                atLineStart = false
                let width = prefixWidth(bytes, from: i)
                if width > maxIndentation {
                    return PipelineDiagnostic(position(), "the YAML is nested too deeply: lines may be indented "
                                              + "(with '- ', '? ', ': ' prefixes) by at most \(maxIndentation) columns")
                }
            }
            let previous: UInt8? = i > 0 ? bytes[i - 1] : nil
            switch b {
            case UInt8(ascii: "#") where previous == nil || isBlank(previous!) || breakLength(bytes, i - 1) > 0
                                      || (i >= 2 && breakLength(bytes, i - 2) == 2) || (i >= 3 && breakLength(bytes, i - 3) == 3):
                // A comment candidate: skip to the end of the line when no quote character is on the way.
                var j = i
                var quoted = false
                while j < bytes.count && breakLength(bytes, j) == 0 {
                    if bytes[j] == UInt8(ascii: "'") || bytes[j] == UInt8(ascii: "\"") { quoted = true; break }
                    j += 1
                }
                if !quoted {
                    while i < j {
                        if bytes[i] & 0xC0 != 0x80 { column += 1 }
                        i += 1
                    }
                    continue
                }
            case UInt8(ascii: "&"), UInt8(ascii: "*"):
                if !(previous.map(isAlphanumeric) ?? false), i + 1 < bytes.count, isNameByte(bytes[i + 1]) {
                    var end = i + 1
                    while end < bytes.count && isNameByte(bytes[end]) && end - i <= 40 { end += 1 }
                    let name = String(decoding: bytes[i..<end], as: UTF8.self)
                    return PipelineDiagnostic(position(), "YAML aliases/anchors are not supported (found '\(name)'); "
                                              + "write the value out in full. In text, put a space after '\(b == 0x26 ? "&" : "*")' "
                                              + "or a letter before it")
                }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                flowOpeners += 1
                if flowOpeners > maxFlowOpeners {
                    return PipelineDiagnostic(position(), "the YAML has more than \(maxFlowOpeners) '[' or '{': "
                                              + "pipeline files cannot nest that deeply")
                }
            default:
                break
            }
            if b & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return nil
    }

    /// Columns of the line's prefix of blanks and compact indicators (`-`, `?`, `:` or `---` followed by a blank).
    static func prefixWidth(_ bytes: [UInt8], from start: Int) -> Int {
        var i = start
        while i < bytes.count {
            let b = bytes[i]
            if isBlank(b) { i += 1; continue }
            let indicator = b == UInt8(ascii: "-") || b == UInt8(ascii: "?") || b == UInt8(ascii: ":")
            if indicator {
                var k = i + 1
                if b == UInt8(ascii: "-"), k + 1 < bytes.count, bytes[k] == UInt8(ascii: "-"), bytes[k + 1] == UInt8(ascii: "-") { k += 2 }
                if k >= bytes.count || isBlank(bytes[k]) || breakLength(bytes, k) > 0 { i = k; continue }
            }
            break
        }
        return i - start
    }
}
