/// The subset of Python literal syntax that NumPy writes into `.npy` headers:
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
enum PythonLiteral: Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dictionary([(String, PythonLiteral)])

    static func == (lhs: PythonLiteral, rhs: PythonLiteral) -> Bool {
        switch (lhs, rhs) {
        case let (.string(a), .string(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case (.none, .none): return true
        case let (.tuple(a), .tuple(b)), let (.list(a), .list(b)): return a == b
        case let (.dictionary(a), .dictionary(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// Parses one literal that spans the whole text (surrounding white space allowed).
    /// - Throws: `PythonLiteralParser.Failure` with a position and a reason.
    static func parse(_ text: String) throws -> PythonLiteral {
        var parser = PythonLiteralParser(Array(text.unicodeScalars))
        let value = try parser.parseValue()
        parser.skipSpace()
        guard parser.isAtEnd else { throw parser.failure("unexpected text after the literal") }
        return value
    }

    /// The value stored under `key` when this is a dictionary.
    subscript(key: String) -> PythonLiteral? {
        guard case let .dictionary(pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }
}
