/// The privacy unit of a frame (user-level DP): the declared id column whose rows belong to one person, and the
/// public bound k on the rows any one unit contributes, enforced by `boundingContributions`.
///
/// The unit ids themselves are kept out of sight: they group rows for training and splitting, are never a feature
/// and never appear in any output. Releases on a bounded frame scale their sensitivities by k (one unit moves a
/// count by at most k, a sum by k·max|bound|, a histogram by L1 = L2 = k), and `FrameBatchSampler` samples units.
public struct PrivacyUnit: Sendable, Equatable {
    /// The id column.
    public let column: String
    /// k: at most this many rows per unit remain after bounding (public).
    public let maxRowsPerUnit: Int
    /// The unit key of every storage row of the frame (not of its view): exact, from the column's value.
    let keys: [Int64]
}

extension PrivateDataFrame {
    /// k of the frame's privacy unit, 1 without one (one row = one unit): the factor on every release's sensitivity.
    public var contributionBound: Int { privacyUnit?.maxRowsPerUnit ?? 1 }

    /// A view keeping, of every unit (rows with the same value of `unit`), all rows when it has at most
    /// `maxRowsPerUnit`, else a uniformly random `maxRowsPerUnit` of them (partial Fisher–Yates with `generator`,
    /// which must be cryptographically secure in a private run). Which rows are kept depends on nothing but the
    /// unit's own row count and the generator; no count is reported. Rows keep their order.
    ///
    /// The unit column must hold exact ids: an integer column (ids stored exactly up to 2²⁴ in magnitude) or a
    /// category column. Afterwards the frame carries the unit (`privacyUnit`) through selections, splits and
    /// predictions, and every release scales its sensitivity by k.
    /// - Throws: `.invalidArgument` for k < 1 or a frame that already has a privacy unit; `.unknownColumn`;
    ///   `.wrongColumnType` for a number (non-integer) column.
    public func boundingContributions<G: RandomNumberGenerator>(unit: String, maxRowsPerUnit k: Int,
                                                                using generator: inout G) throws -> PrivateDataFrame {
        guard k >= 1 else { throw DataFrameError.invalidArgument("max_rows_per_unit must be ≥ 1, got \(k)") }
        guard privacyUnit == nil else { throw DataFrameError.invalidArgument("the frame already has a privacy unit") }
        let c = try column(named: unit)
        let keys: [Int64]
        switch (c.storage, c.spec.kind) {
        case let (.numeric(v), .integer):
            keys = v.map { $0.isFinite ? Int64($0.rounded()) : Int64.min }
        case let (.categorical(v), .category):
            keys = v.map { Int64($0) }
        default:
            throw DataFrameError.wrongColumnType(column: unit, expected: "integer or category (an exact id)",
                                                 actual: c.spec.kind.typeName)
        }
        // Rows of each unit, in frame order.
        var groups: [Int64: [Int]] = [:]
        for i in 0..<rowCount { groups[keys[rowSelection?[i] ?? i], default: []].append(i) }
        var keep = [Bool](repeating: false, count: rowCount)
        // In key order, so that a seeded (test) generator gives the same choice in every process (dictionary order is
        // randomised per process).
        for (_, rows) in groups.sorted(by: { $0.key < $1.key }) {
            if rows.count <= k {
                for i in rows { keep[i] = true }
                continue
            }
            var r = rows
            for j in 0..<k {
                let t = Int.random(in: j..<r.count, using: &generator)
                r.swapAt(j, t)
                keep[r[j]] = true
            }
        }
        var bounded = gathering((0..<rowCount).filter { keep[$0] })
        bounded.privacyUnit = PrivacyUnit(column: unit, maxRowsPerUnit: k, keys: keys)
        return bounded
    }

    /// The unit index (0..<units, in order of first appearance) of every row, and the number of units; nil without a
    /// privacy unit. For the samplers inside this module: never an output.
    package func unitIndices() -> (index: [Int], count: Int)? {
        guard let unit = privacyUnit else { return nil }
        var seen: [Int64: Int] = [:]
        var index = [Int](repeating: 0, count: rowCount)
        for i in 0..<rowCount {
            let key = unit.keys[rowSelection?[i] ?? i]
            if let k = seen[key] { index[i] = k } else {
                index[i] = seen.count
                seen[key] = seen.count
            }
        }
        return (index, seen.count)
    }
}

extension PrivateDataFrame {
    /// Number of distinct privacy units, plus exact discrete Laplace noise of sensitivity 1 (adding or removing one
    /// unit changes it by 1): the DP count that stands in for a declared public number of units.
    /// - Throws: `.invalidArgument` for a frame without a privacy unit; release errors as `releaseCount`.
    public func releaseUnitCount(epsilon: Double, charging budget: ReleaseBudget, noise: ReleaseNoise = .secure) throws -> DPRelease {
        try validateRelease(epsilon: epsilon, mechanism: .laplace)
        guard let units = unitIndices() else {
            throw DataFrameError.invalidArgument("a count of units needs a frame with a privacy unit")
        }
        let (grid, calibrated) = try Self.countNoise(declared: nil, epsilon: epsilon, mechanism: .laplace, cells: 1, relation: .addRemove)
        let query = "count of units"
        return try charged(budget, query: query, epsilon: epsilon, mechanism: .laplace) {
            try Self.noisyCells(query: query, labels: ["units"], counts: [Int64(units.count)], grid: grid, noise: calibrated,
                                epsilon: epsilon, mechanism: .laplace, relation: .addRemove,
                                sensitivity: "count sensitivity \(grid.countStep) grid unit(s) (one unit)", source: noise)
        }
    }
}
