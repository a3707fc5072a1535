/// The rows of a batch grouped by privacy unit (contract C1: `units[i]` is row `i`'s unit in
/// `0..<unitCount`; nil means every row is its own unit). Norm kernels use it to return the
/// norm of each unit's summed gradient `‖Σ_{i∈u} g_i‖`.
public struct PrivacyUnitGroups: Sendable, Equatable {
    /// Rows of each unit, in ascending row order; `members.count == unitCount`.
    public let members: [[Int]]

    /// - Precondition: every entry of `units` lies in `0..<unitCount` and `units.count == batch`
    ///   (an internal contract of the batch sampler, not user input).
    public init(batch: Int, units: [Int]?, unitCount: Int?) {
        guard let units else {
            members = (0..<batch).map { [$0] }
            return
        }
        let count = unitCount ?? ((units.max() ?? -1) + 1)
        precondition(units.count == batch, "one unit per row")
        var groups = [[Int]](repeating: [], count: count)
        for (row, u) in units.enumerated() {
            precondition(u >= 0 && u < count, "unit index out of range")
            groups[u].append(row)
        }
        members = groups
    }

    /// Number of units.
    public var count: Int { members.count }

    /// Squared norm of each unit's summed vector, given each row's vector of `width` elements
    /// (rows `i` at `vectors[i·width ..< (i+1)·width]`). Summed in Double.
    public func squaredNormsOfSums(_ vectors: [Float], width: Int) -> [Double] {
        var out = [Double](repeating: 0, count: members.count)
        guard width > 0 else { return out }
        var sum = [Double](repeating: 0, count: width)
        for (u, rows) in members.enumerated() {
            if rows.count == 1 {
                let base = rows[0] * width
                var s = 0.0
                for k in 0..<width { let v = Double(vectors[base + k]); s += v * v }
                out[u] = s
                continue
            }
            for k in 0..<width { sum[k] = 0 }
            for r in rows {
                let base = r * width
                for k in 0..<width { sum[k] += Double(vectors[base + k]) }
            }
            out[u] = sum.reduce(0) { $0 + $1 * $1 }
        }
        return out
    }
}
