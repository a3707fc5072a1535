/// Where several workers combine their clipped sums before noise is added once.
public protocol GradientReduction: Sendable {
    /// true on the one worker that draws noise (rank 0). The local reduction is always root.
    var isRoot: Bool { get }
    /// In place: element-wise sum of `values` over all workers; every worker gets the sum.
    func sumAcrossWorkers(_ values: inout [Double]) throws
    func sumAcrossWorkers(_ values: inout [Float]) throws
    /// In place: every worker receives the root's `values`.
    func broadcastFromRoot(_ values: inout [Float]) throws
}

/// One process, one worker: every reduction is the identity (the default).
public struct LocalReduction: GradientReduction {
    public init() {}
    public var isRoot: Bool { true }
    public func sumAcrossWorkers(_ values: inout [Double]) throws {}
    public func sumAcrossWorkers(_ values: inout [Float]) throws {}
    public func broadcastFromRoot(_ values: inout [Float]) throws {}
}
