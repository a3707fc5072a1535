/// Where the exact integer statistics of a DP release (counts, grid-unit sums, histogram and confusion-matrix
/// cells) are combined across the workers of a data-parallel job before noise is added once.
///
/// Each worker holds a disjoint shard of the rows and computes its partial integer sums; `sumAcrossWorkers`
/// makes every worker hold the exact totals (integer addition, so the order of the workers does not matter);
/// only the root draws the noise; `broadcastFromRoot` gives every worker the root's noisy values. The release
/// is then the one a single process holding all rows would make: one draw of noise per cell, sensitivity
/// unchanged (a row lives on exactly one worker).
public protocol PartialSumReduction: Sendable {
    /// True on the one worker that draws the noise (rank 0). The local reduction is always root.
    var isRoot: Bool { get }
    /// In place: the element-wise exact sum of `values` over all workers; every worker gets it.
    func sumAcrossWorkers(_ values: inout [Int64]) throws
    /// In place: every worker receives the root's `values`.
    func broadcastFromRoot(_ values: inout [Int64]) throws
}

/// One process: the partial sums are the totals (the default).
public struct LocalPartialSums: PartialSumReduction {
    public init() {}
    public var isRoot: Bool { true }
    public func sumAcrossWorkers(_ values: inout [Int64]) throws {}
    public func broadcastFromRoot(_ values: inout [Int64]) throws {}
}

/// The reduction the releases of the running job use: `LocalPartialSums` unless a data-parallel run binds
/// another one for its duration (`PartialSums.$reduction.withValue(world) { … }`).
public enum PartialSums {
    @TaskLocal public static var reduction: any PartialSumReduction = LocalPartialSums()

    /// True while a reduction other than the local one is bound (a data-parallel job).
    public static var isDistributed: Bool { !(reduction is LocalPartialSums) }

    /// The exact totals of `partial` over all workers, noised once by `addNoise` on the root and broadcast.
    /// One process: `addNoise(partial)`.
    static func combineAndNoise(_ partial: [Int64], _ addNoise: ([Int64]) throws -> [Int64]) throws -> [Int64] {
        let reduction = self.reduction
        if reduction is LocalPartialSums { return try addNoise(partial) }
        var totals = partial
        try reduction.sumAcrossWorkers(&totals)
        var noisy = reduction.isRoot ? try addNoise(totals) : [Int64](repeating: 0, count: totals.count)
        try reduction.broadcastFromRoot(&noisy)
        return noisy
    }
}
