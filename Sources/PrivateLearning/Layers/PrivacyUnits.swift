/// The privacy unit of every row of a batch (or slice of a batch), as consecutive indices.
///
/// DP-SGD clips per unit: unit `u`'s gradient is `Σ_{i∈u} g_i` and its clipped contribution
/// `min(1, C/‖Σ_{i∈u} g_i‖)·Σ_{i∈u} g_i`. With no unit column every row is its own unit.
public struct PrivacyUnits: Sendable, Equatable {
    /// Rows described.
    public let rowCount: Int
    /// Number of units (`rowCount` when every row is its own unit).
    public let count: Int
    /// Unit of each row, nil when row i is unit i.
    public let unitOfRow: [Int]?
    /// Rows of unit u are `memberRows[memberStart[u] ..< memberStart[u + 1]]` (nil for identity).
    private let memberStart: [Int]?
    private let memberRows: [Int]?

    /// Every row its own unit.
    public init(rowCount: Int) {
        self.rowCount = rowCount
        count = rowCount
        unitOfRow = nil
        memberStart = nil
        memberRows = nil
    }

    /// - Parameters:
    ///   - unitOfRow: unit index of each row, in `0..<count` (nil: every row its own unit).
    ///   - count: number of units.
    /// - Precondition: every index lies in `0..<count` (checked; a sampler bug otherwise).
    public init(unitOfRow: [Int]?, count: Int) {
        guard let unitOfRow else {
            rowCount = count
            self.count = count
            self.unitOfRow = nil
            memberStart = nil
            memberRows = nil
            return
        }
        precondition(unitOfRow.allSatisfy { $0 >= 0 && $0 < count }, "unit index out of range")
        rowCount = unitOfRow.count
        self.count = count
        self.unitOfRow = unitOfRow
        var start = [Int](repeating: 0, count: count + 1)
        for u in unitOfRow { start[u + 1] += 1 }
        for u in 0..<count { start[u + 1] += start[u] }
        var fill = start
        var rows = [Int](repeating: 0, count: unitOfRow.count)
        for (r, u) in unitOfRow.enumerated() { rows[fill[u]] = r; fill[u] += 1 }
        memberStart = start
        memberRows = rows
    }

    /// True when every row is its own unit.
    public var isPerExample: Bool { unitOfRow == nil }

    /// Unit of row `r`.
    @inline(__always) public func unit(ofRow r: Int) -> Int { unitOfRow?[r] ?? r }

    /// Rows of unit `u`, ascending.
    public func rows(of u: Int) -> ArraySlice<Int> {
        guard let memberStart, let memberRows else { return [u][...] }
        return memberRows[memberStart[u]..<memberStart[u + 1]]
    }

    /// Per-row weights from per-unit factors: `w_r = factors[unit(r)]`.
    public func rowWeights(unitFactors: [Float]) -> [Float] {
        guard let unitOfRow else { return unitFactors }
        return unitOfRow.map { unitFactors[$0] }
    }
}
