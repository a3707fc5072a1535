import PrivateLearning

/// The MPI world as the privatizer's reduction (C2): each rank's clipped sums are added with one
/// `MPI_Allreduce`; only rank 0 (`isRoot`) draws the noise, and its noisy sum reaches every rank with
/// `MPI_Bcast`, so noise is added once per step, not once per rank.
extension MPICommunicator: GradientReduction {
    public func sumAcrossWorkers(_ values: inout [Double]) throws { try allreduceSum(&values) }
    public func sumAcrossWorkers(_ values: inout [Float]) throws { try allreduceSum(&values) }
}
