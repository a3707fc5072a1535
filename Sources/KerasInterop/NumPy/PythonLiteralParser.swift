/// A recursive-descent parser over Unicode scalars for `PythonLiteral`.
struct PythonLiteralParser {
    struct Failure: Error {
        var offset: Int
        var reason: String
    }

    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var depth = 0

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    var isAtEnd: Bool { index >= scalars.count }

    func failure(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

    mutating func skipSpace() {
        while index < scalars.count, scalars[index].properties.isWhitespace { index += 1 }
    }

    mutating func parseValue() throws -> PythonLiteral {
        skipSpace()
        guard index < scalars.count else { throw failure("unexpected end of header") }
        depth += 1
        defer { depth -= 1 }
        guard depth < 32 else { throw failure("nesting too deep") }
        switch scalars[index] {
        case "{": return try parseDictionary()
        case "(": return try parseSequence(close: ")").tupleValue
        case "[": return try parseSequence(close: "]").listValue
        case "'", "\"": return .string(try parseString())
        case "-", "0"..."9": return .int(try parseInt())
        default:
            let word = parseWord()
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default: throw failure("unexpected token '\(word.prefix(20))'")
            }
        }
    }

    private mutating func parseWord() -> String {
        var word = ""
        while index < scalars.count, scalars[index].properties.isAlphabetic || scalars[index] == "_" {
            word.unicodeScalars.append(scalars[index])
            index += 1
        }
        return word
    }

    private mutating func parseInt() throws -> Int {
        var digits = ""
        if scalars[index] == "-" { digits = "-"; index += 1 }
        while index < scalars.count, ("0"..."9").contains(scalars[index]) {
            digits.unicodeScalars.append(scalars[index])
            index += 1
        }
        // NumPy 1.x wrote Python 2 longs as `3L` in some headers.
        if index < scalars.count, scalars[index] == "L" { index += 1 }
        guard let value = Int(digits) else { throw failure("invalid integer") }
        return value
    }

    private mutating func parseString() throws -> String {
        let quote = scalars[index]
        index += 1
        var text = ""
        while index < scalars.count, scalars[index] != quote {
            if scalars[index] == "\\" { index += 1 }
            guard index < scalars.count else { break }
            text.unicodeScalars.append(scalars[index])
            index += 1
        }
        guard index < scalars.count else { throw failure("unterminated string") }
        index += 1
        return text
    }

    private struct Sequence {
        var items: [PythonLiteral]
        var hadComma: Bool
        var tupleValue: PythonLiteral { .tuple(items) }
        var listValue: PythonLiteral { .list(items) }
    }

    private mutating func parseSequence(close: Unicode.Scalar) throws -> Sequence {
        index += 1
        var items: [PythonLiteral] = []
        var hadComma = false
        while true {
            skipSpace()
            guard index < scalars.count else { throw failure("unterminated sequence") }
            if scalars[index] == close { index += 1; return Sequence(items: items, hadComma: hadComma) }
            items.append(try parseValue())
            skipSpace()
            guard index < scalars.count else { throw failure("unterminated sequence") }
            if scalars[index] == "," { index += 1; hadComma = true }
            else if scalars[index] != close { throw failure("expected ',' or '\(close)'") }
        }
    }

    private mutating func parseDictionary() throws -> PythonLiteral {
        index += 1
        var pairs: [(String, PythonLiteral)] = []
        while true {
            skipSpace()
            guard index < scalars.count else { throw failure("unterminated dictionary") }
            if scalars[index] == "}" { index += 1; return .dictionary(pairs) }
            guard scalars[index] == "'" || scalars[index] == "\"" else { throw failure("expected a string key") }
            let key = try parseString()
            skipSpace()
            guard index < scalars.count, scalars[index] == ":" else { throw failure("expected ':' after key") }
            index += 1
            let value = try parseValue()
            pairs.append((key, value))
            skipSpace()
            guard index < scalars.count else { throw failure("unterminated dictionary") }
            if scalars[index] == "," { index += 1 }
            else if scalars[index] != "}" { throw failure("expected ',' or '}'") }
        }
    }
}
