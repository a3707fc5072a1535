/// A dense array read from or written to NumPy's `.npy` format, held as Float32 in C (row-major)
/// order.
///
/// Integer and float64 arrays are converted to Float32 on reading; dpflow computes in Float32.
public struct NumpyArray: Sendable, Equatable {
    /// Dimensions, outermost first; `[]` for a 0-d (scalar) array.
    public var shape: [Int]
    /// The elements in C (row-major) order; `shape.reduce(1, *)` of them.
    public var values: [Float]

    /// Creates an array; `values.count` must equal the product of `shape`.
    public init(shape: [Int], values: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == values.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
        self.shape = shape
        self.values = values
    }

    /// The number of elements (product of the dimensions).
    public var count: Int { values.count }
}
