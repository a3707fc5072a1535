/// Which rows a rank of a data-parallel job owns: row `i` (0-based, in file order) belongs to rank
/// `mix(i) mod size`, where `mix` is a fixed 64-bit bijective mixer (SplitMix64's finaliser). Every rank
/// computes the same assignment from public facts (row position, rank count), each row belongs to exactly one
/// rank, and the shards are balanced up to binomial fluctuation (not by blocks of the file, so a file sorted by
/// a label does not give one rank one class).
public struct RowShard: Sendable, Equatable {
    public let rank: Int
    public let size: Int

    /// - Precondition checked: `size ≥ 1`, `0 ≤ rank < size` (else the single shard `0/1`).
    public init(rank: Int, size: Int) {
        if size >= 1, (0..<size).contains(rank) {
            self.rank = rank
            self.size = size
        } else {
            self.rank = 0
            self.size = 1
        }
    }

    /// The whole data set (one process).
    public static let all = RowShard(rank: 0, size: 1)

    /// The rank that owns row `index`.
    @inlinable
    public func owner(ofRow index: Int) -> Int {
        guard size > 1 else { return 0 }
        var z = UInt64(truncatingIfNeeded: index) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(size))
    }

    /// Whether this rank keeps row `index`.
    @inlinable
    public func contains(row index: Int) -> Bool { owner(ofRow: index) == rank }
}
