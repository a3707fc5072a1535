import Foundation

/// Proposes a schema **by reading the data** — for the data owner only.
///
/// The proposal contains values taken from the file (observed ranges widened to round numbers,
/// category values). It is a starting point for the owner, who should replace the bounds by
/// domain knowledge. It is **not** public metadata: sharing it, or using it unreviewed, leaks
/// the data and voids the DP guarantee. `dpflow schema` prints it with that warning.
public enum SchemaProposal {
    /// The warning printed at the top of every proposal.
    public static let warning = """
        # PROPOSED SCHEMA, COMPUTED BY READING THE DATA. NOT PUBLIC METADATA — DO NOT SHARE.
        # Its bounds and category values were observed in the file, so they reveal the data.
        # Replace every bound by domain knowledge (published ranges), check the category lists,
        # then use it. Bounds computed from the data void the differential-privacy guarantee.
        """

    /// Reads `path` and proposes a declaration per column.
    /// - Parameters:
    ///   - maxCategories: text columns with at most this many distinct values become categories;
    ///     larger ones are proposed as `ignore`.
    /// - Returns: the proposal and the header order of the columns.
    public static func propose(csv path: String, maxCategories: Int = 20) throws -> (schema: Schema, order: [String]) {
        struct Stats {
            var numeric = true, integral = true, booleanish = true, missing = false
            var lo = Double.infinity, hi = -Double.infinity
            var distinct: [String: Int] = [:]
            var tooMany = false
        }
        var header: [String] = []
        var stats: [Stats] = []
        var failure: DataFrameError?
        var line = 1
        try CSVRecordReader.read(path: path) { record in
            if header.isEmpty {
                header = record
                stats = Array(repeating: Stats(), count: record.count)
                return true
            }
            line += 1
            guard record.count == header.count else {
                failure = .raggedRow(file: path, line: line, expected: header.count, found: record.count, orMore: false)
                return false
            }
            for (k, cell) in record.enumerated() {
                if cell.isEmpty { stats[k].missing = true; continue }
                var bytes = Array(cell.utf8); let n = bytes.count; bytes.append(0)
                let number = bytes.withUnsafeBufferPointer { FieldDecoder.parseNumber($0.baseAddress!, n) }
                let boolean = bytes.withUnsafeBufferPointer { FieldDecoder.parseBoolean($0.baseAddress!, n) }
                if boolean == nil { stats[k].booleanish = false }
                if let v = number {
                    stats[k].lo = min(stats[k].lo, v); stats[k].hi = max(stats[k].hi, v)
                    if v != v.rounded() { stats[k].integral = false }
                } else {
                    stats[k].numeric = false
                }
                if !stats[k].tooMany {
                    stats[k].distinct[cell, default: 0] += 1
                    if stats[k].distinct.count > maxCategories { stats[k].tooMany = true; stats[k].distinct = [:] }
                }
            }
            return true
        }
        if let failure { throw failure }
        guard !header.isEmpty else { throw DataFrameError.emptyFile(file: path) }
        var columns: [String: ColumnSpec] = [:]
        for (k, name) in header.enumerated() {
            let s = stats[k]
            let missing: MissingValuePolicy = s.missing ? .dropRow : .error
            var spec: ColumnSpec
            if s.numeric && s.lo <= s.hi {
                let (lo, hi) = niceBounds(s.lo, s.hi)
                if s.integral && !s.tooMany && s.distinct.count <= 2 && s.lo >= 0 && s.hi <= 1 {
                    spec = .category(s.distinct.keys.sorted { (Double($0) ?? 0) < (Double($1) ?? 0) })
                } else if s.integral && !s.tooMany && s.distinct.count <= min(maxCategories, 10) && name.lowercased().contains("target") {
                    spec = .category(s.distinct.keys.sorted { (Double($0) ?? 0) < (Double($1) ?? 0) })
                } else {
                    spec = s.integral ? .integer(min: lo, max: hi) : .number(min: lo, max: hi)
                }
            } else if s.booleanish && !s.distinct.isEmpty {
                spec = .boolean()
            } else if !s.tooMany && !s.distinct.isEmpty {
                spec = .category(s.distinct.keys.sorted())
            } else {
                spec = .ignore
            }
            spec.missing = spec.kind == .ignore ? .error : missing
            columns[name] = spec
        }
        return (Schema(columns: columns), header)
    }

    /// Widens [lo, hi] outward to multiples of the power of ten just below max(|lo|, |hi|, hi − lo),
    /// so the proposal does not repeat the exact observed extremes.
    static func niceBounds(_ lo: Double, _ hi: Double) -> (Double, Double) {
        let span = max(hi - lo, abs(hi), abs(lo), 1e-12)
        var step = 1.0
        while step * 10 <= span { step *= 10 }
        while step > span { step /= 10 }
        var a = (lo / step).rounded(.down) * step, b = (hi / step).rounded(.up) * step
        if lo >= 0 && a < 0 { a = 0 }
        if a == b { b = a + max(step, 1) }
        return (a, b)
    }

    /// The schema as YAML (columns in `order`, then any others sorted), in the format the
    /// pipeline files and `Schema`'s Codable form use.
    public static func yaml(_ schema: Schema, order: [String] = []) -> String {
        func quote(_ s: String) -> String {
            let plain = s.range(of: #"^[A-Za-z_][A-Za-z0-9_ .\-]*$"#, options: .regularExpression) != nil
                && !["true", "false", "yes", "no", "null", "y", "n", "on", "off"].contains(s.lowercased())
            if plain { return s }
            return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        func num(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(format: "%.12g", x) }
        func line(_ spec: ColumnSpec) -> String {
            var parts = ["type: \(spec.kind.typeName)"]
            switch spec.kind {
            case let .number(lo, hi), let .integer(lo, hi):
                parts += ["min: \(num(lo))", "max: \(num(hi))"]
                if spec.outOfBounds == .error { parts.append("out_of_bounds: error") }
            case let .category(values): parts.append("values: [\(values.map(quote).joined(separator: ", "))]")
            case let .text(t): parts += ["max_length: \(t.maxLength)", "lowercase: \(t.lowercase)", "tokens: \(t.tokens.rawValue)"]
            case .boolean, .ignore: break
            }
            switch spec.missing {
            case .error: break
            case .dropRow: parts.append("missing: drop_row")
            case let .fill(v): parts.append("missing: {default: \(quote(v))}")
            }
            return "{" + parts.joined(separator: ", ") + "}"
        }
        var out: [String] = []
        if let d = schema.defaultColumn { out.append("default: \(line(d))") }
        out.append("columns:")
        let names = order.filter { schema.columns[$0] != nil } + schema.columns.keys.filter { !order.contains($0) }.sorted()
        for n in names { out.append("  \(quote(n)): \(line(schema.columns[n]!))") }
        return out.joined(separator: "\n") + "\n"
    }
}
