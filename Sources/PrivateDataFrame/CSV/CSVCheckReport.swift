/// The data owner's diagnosis of a CSV file against a schema (`PrivateDataFrame.check`).
///
/// **Operator output only.** Problems name the line, the field and the offending value: they
/// are data. They are for the data owner who runs `dpflow check` and must never be written into
/// a run's output folder or shown to a pipeline author.
public struct CSVCheckReport: Sendable, Equatable {
    /// The kinds of value-level problem, each handled in a run by its declared policy.
    public enum Kind: String, Sendable, CaseIterable, Comparable {
        case missing
        case invalid
        case outOfBounds = "out_of_bounds"
        case unknownCategory = "unknown_category"
        case ragged

        public static func < (a: Kind, b: Kind) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// One problem: where it is and what is wrong (with the value, for the owner).
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var kind: Kind
        /// Physical line (1-based; the header is line 1) on which the field or row ends.
        public var line: Int
        /// Field position in the row (1-based), nil for a whole-row problem.
        public var field: Int?
        /// The column's header name, nil for a whole-row problem.
        public var column: String?
        /// What is wrong, including the value (operator output).
        public var message: String
        /// What `dpflow run` does with it under the declared policy ("clamped", "row dropped", …).
        public var action: String
        public var file: String

        public var description: String {
            let position = field.map { "\(file):\(line):\($0)" } ?? "\(file):\(line)"
            let what = column.map { "column '\($0)': " } ?? ""
            return "\(position): \(what)\(message) (run: \(action))"
        }
    }

    /// The first `limit` problems, in file order.
    public var problems: [Problem]
    /// Every problem found, counted per kind (including those beyond `limit`).
    public var counts: [Kind: Int]
    /// Data rows read (the header excluded), and rows a run would keep.
    public var rowsRead: Int
    public var rowsKept: Int
    /// A structural problem that stopped the check (malformed quoting, header not matching, unreadable
    /// file), with its line; the problems listed are those found before it.
    public var failure: DataFrameError?

    /// Total number of value-level problems found.
    public var total: Int { counts.values.reduce(0, +) }
    /// True when the file has a problem of any kind.
    public var foundProblems: Bool { total > 0 || failure != nil }
}

/// Collects problems while a file is checked (slow path only: the loader calls it on a problem).
final class CSVProblemCollector {
    let limit: Int
    var problems: [CSVCheckReport.Problem] = []
    var counts: [CSVCheckReport.Kind: Int] = [:]
    var rowsRead = 0
    var rowsKept = 0

    init(limit: Int) { self.limit = max(0, limit) }

    func add(_ make: @autoclosure () -> CSVCheckReport.Problem, kind: CSVCheckReport.Kind) {
        counts[kind, default: 0] += 1
        if problems.count < limit { problems.append(make()) }
    }

    /// A cell as the operator sees it: quoted, control characters escaped, at most 60 characters.
    static func show(_ p: UnsafePointer<UInt8>?, _ n: Int) -> String {
        guard let p, n > 0 else { return "''" }
        let text = String(decoding: UnsafeBufferPointer(start: p, count: min(n, 240)), as: UTF8.self)
        var out = ""
        for scalar in text.unicodeScalars {
            if out.count >= 60 { out += "…"; break }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "'": out += "\\'"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return "'" + out + "'"
    }
}
