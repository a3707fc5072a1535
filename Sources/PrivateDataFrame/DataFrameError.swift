import Foundation

/// Every error of the PrivateDataFrame module: CSV loading, schema, operations, releases and the
/// budget ledger.
///
/// Messages name the file, line and column and say what is wrong; they **never contain a cell
/// value** of the data (only schema metadata: column names, bounds, declared values).
/// `line` is the physical line of the file on which the offending field or row ends (1-based,
/// the header is line 1).
public enum DataFrameError: Error, Sendable, Equatable {
    // CSV
    case fileUnreadable(file: String, reason: String)
    case emptyFile(file: String)
    case missingHeader(file: String)
    case emptyColumnName(file: String, position: Int)
    case duplicateColumn(file: String, column: String)
    case undeclaredColumn(file: String, column: String)
    case missingColumn(file: String, column: String)
    case raggedRow(file: String, line: Int, expected: Int, found: Int, orMore: Bool)
    case malformedCSV(file: String, line: Int, reason: String)
    /// An IDX (MNIST-format) file that cannot be parsed; `reason` names structure, never a value.
    case malformedIDX(file: String, reason: String)
    case notANumber(file: String, line: Int, column: String, expected: String)
    case unknownCategory(file: String, line: Int, column: String, declaredCount: Int)
    case missingValue(file: String, line: Int, column: String)
    case outOfBounds(file: String, line: Int, column: String, bounds: ClosedRange<Double>)
    // Schema and operations
    case invalidSchema(column: String, reason: String)
    case unknownColumn(String, available: [String])
    case wrongColumnType(column: String, expected: String, actual: String)
    case invalidArgument(String)
    case noRows(operation: String)
    case shapeMismatch(String)
    // Releases and ledger
    case noGrant(dataset: String)
    case budgetExceeded(dataset: String, requestedEpsilon: Double, requestedDelta: Double,
                        remainingEpsilon: Double, remainingDelta: Double)
    case invalidBudget(String)
    case reservationNotFound(id: Int64)
    case ledger(path: String, reason: String)
    /// The data file (by path or content) is bound to other data set(s) in the ledger.
    case fileBoundElsewhere(file: String, dataset: String, boundTo: [String])
}

extension DataFrameError: LocalizedError, CustomStringConvertible {
    public var errorDescription: String? { description }

    public var description: String {
        switch self {
        case let .fileUnreadable(f, why): return "\(f): error: cannot read the file: \(why)"
        case let .emptyFile(f): return "\(f): error: the file is empty; a header row and data rows are required"
        case let .missingHeader(f):
            return "\(f):1: error: missing header row: the first row must name the columns declared in the schema"
        case let .emptyColumnName(f, pos): return "\(f):1: error: column \(pos) of the header has an empty name"
        case let .duplicateColumn(f, c): return "\(f):1: error: column '\(c)' appears more than once in the header"
        case let .undeclaredColumn(f, c):
            return "\(f):1: error: column '\(c)' is not declared in the schema; declare it (type: ignore to skip it) or add a 'default' entry"
        case let .missingColumn(f, c): return "\(f):1: error: column '\(c)' is declared in the schema but missing from the header"
        case let .raggedRow(f, l, e, n, more):
            return "\(f):\(l): error: row has \(more ? "more than \(n)" : "\(n)") field\(n == 1 && !more ? "" : "s"), the header has \(e)"
        case let .malformedCSV(f, l, why): return "\(f):\(l): error: malformed CSV: \(why)"
        case let .malformedIDX(f, why): return "\(f): error: not a valid IDX file (MNIST format): \(why)"
        case let .notANumber(f, l, c, exp): return "\(f):\(l): error: column '\(c)': value is not \(exp)"
        case let .unknownCategory(f, l, c, n):
            return "\(f):\(l): error: column '\(c)': value is not one of the \(n) declared categories"
        case let .missingValue(f, l, c):
            return "\(f):\(l): error: column '\(c)': empty value; declare 'missing: drop_row' or 'missing: {default: VALUE}'"
        case let .outOfBounds(f, l, c, b):
            return "\(f):\(l): error: column '\(c)': value outside the declared bounds [\(b.lowerBound), \(b.upperBound)] (out_of_bounds: error)"
        case let .invalidSchema(c, why): return "schema: error: column '\(c)': \(why)"
        case let .unknownColumn(c, avail):
            let hint = Self.suggestion(for: c, among: avail).map { ". Did you mean '\($0)'?" } ?? ""
            return "error: unknown column '\(c)'\(hint)"
        case let .wrongColumnType(c, exp, act): return "error: column '\(c)' is \(act), expected \(exp)"
        case let .invalidArgument(why): return "error: \(why)"
        case let .noRows(op): return "error: \(op): no rows"
        case let .shapeMismatch(why): return "error: shape mismatch: \(why)"
        case let .noGrant(d):
            return "ledger: error: no budget granted for dataset '\(d)'; run `dpflow ledger grant \(d) --epsilon E --delta D`"
        case let .budgetExceeded(d, re, rd, le, ld):
            return "ledger: error: dataset '\(d)': reserving ε=\(re), δ=\(rd) would exceed the grant; remaining ε=\(le), δ=\(ld); nothing was charged"
        case let .invalidBudget(why): return "ledger: error: \(why)"
        case let .reservationNotFound(id): return "ledger: error: no open reservation with id \(id)"
        case let .ledger(p, why): return "\(p): ledger error: \(why)"
        case let .fileBoundElsewhere(f, d, owners):
            let names = owners.map { "'\($0)'" }.joined(separator: ", ")
            return "\(f): ledger error: this data file (its path or its content) is already charged as data set \(names); "
                + "running it as '\(d)' would give the same data a fresh budget. Declare privacy.dataset: \(owners[0]), or, if it "
                + "really is another data set, the operator binds it with `dpflow ledger bind \(d) --csv \(f)`"
        }
    }

    /// The message for a **pipeline author**: no line of the data, no header cell that may be
    /// data, no value. Structural problems keep their cause; value-level and positional ones point
    /// the data owner to `dpflow check`, which names them.
    public var authorDescription: String {
        let check = "the data owner can locate it with `dpflow check`"
        switch self {
        case let .undeclaredColumn(f, _):
            return "\(f):1: error: the CSV header has a column that the schema does not declare (not shown: header cells "
                + "that are not declared may be data; \(check)); declare every column (type: ignore to skip one) or add a 'default:' entry"
        case let .malformedCSV(f, _, _):
            return "\(f): error: malformed CSV (an unterminated or stray quote); \(check)"
        case let .raggedRow(f, _, _, _, _):
            return "\(f): error: a row's field count differs from the header's; \(check)"
        case let .notANumber(f, _, c, _), let .unknownCategory(f, _, c, _), let .missingValue(f, _, c), let .outOfBounds(f, _, c, _):
            return "\(f): error: column '\(c)': a value does not match its declaration; \(check)"
        case .unknownColumn(let c, _):
            return "error: unknown column '\(c)'"
        default:
            return description
        }
    }

    /// The closest name by edit distance, if close enough to be a likely typo.
    static func suggestion(for name: String, among candidates: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            if a.isEmpty { return b.count }
            var prev = Array(0...b.count)
            for (i, ca) in a.enumerated() {
                var cur = [i + 1] + Array(repeating: 0, count: b.count)
                for (j, cb) in b.enumerated() {
                    cur[j + 1] = Swift.min(prev[j + 1] + 1, cur[j] + 1, prev[j] + (ca == cb ? 0 : 1))
                }
                prev = cur
            }
            return prev[b.count]
        }
        let a = Array(name)
        let best = candidates.map { ($0, distance(a, Array($0))) }.min { $0.1 < $1.1 }
        guard let (c, d) = best, d <= Swift.max(2, name.count / 3) else { return nil }
        return c
    }
}
