/// A dense Float32 tensor: a shape and contiguous row-major storage.
///
/// Batch-first everywhere in dpflow: the first dimension of an activation tensor is the
/// example index, so row `i` of a 2-D tensor belongs to example `i` alone. DP-SGD relies on
/// that: per-example clipping needs per-example rows.
public struct Tensor: Sendable, Equatable {
    /// Size of each dimension, outermost first.
    public var shape: [Int]
    /// Elements in row-major order; `storage.count == shape.reduce(1, *)`.
    public var storage: [Float]

    /// Creates a tensor from a shape and row-major values.
    /// - Precondition: `values.count` equals the product of `shape`.
    @inlinable
    public init(shape: [Int], values: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape has a negative dimension: \(shape)")
        precondition(shape.reduce(1, *) == values.count,
                     "Tensor shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
        self.shape = shape
        self.storage = values
    }

    /// Creates a tensor of the given shape filled with zeros.
    @inlinable
    public init(zeros shape: [Int]) {
        self.init(shape: shape, values: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// Creates a tensor of the given shape filled with `value`.
    @inlinable
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, values: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// A 2-D tensor from nested rows (convenient in tests and examples).
    public init(_ rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "ragged rows")
        self.init(shape: [rows.count, columns], values: rows.flatMap { $0 })
    }

    /// Number of elements.
    @inlinable public var count: Int { storage.count }
    /// Number of dimensions.
    @inlinable public var rank: Int { shape.count }
    /// First dimension (examples in a batch-first tensor); 1 for a scalar.
    @inlinable public var rows: Int { shape.first ?? 1 }
    /// Elements per row: the product of every dimension but the first.
    @inlinable public var columns: Int { shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *) }

    /// Element `(row, column)` of the tensor seen as a rows × columns matrix.
    @inlinable
    public subscript(row: Int, column: Int) -> Float {
        get { storage[row &* columns &+ column] }
        set { storage[row &* columns &+ column] = newValue }
    }

    /// The same elements with another shape of equal element count.
    @inlinable
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, values: storage)
    }

    /// Rows `indices` of a batch-first tensor, in that order.
    public func gatheringRows(_ indices: [Int]) -> Tensor {
        let width = columns
        let total = indices.count * width
        // Every element is copied below: no zero-initialisation.
        var out = total == 0 ? [] : [Float](unsafeUninitializedCapacity: total) { _, c in c = total }
        if total > 0 { storage.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (k, i) in indices.enumerated() {
                    precondition(i >= 0 && i < rows, "row index out of range")
                    let s = src.baseAddress! + i &* width
                    (dst.baseAddress! + k &* width).initialize(from: s, count: width)
                }
            }
        } }
        var newShape = shape
        if newShape.isEmpty { newShape = [indices.count] } else { newShape[0] = indices.count }
        return Tensor(shape: newShape, values: out)
    }

    /// Rows `range` of a batch-first tensor.
    public func slicingRows(_ range: Range<Int>) -> Tensor {
        let width = columns
        var newShape = shape
        newShape[0] = range.count
        return Tensor(shape: newShape, values: Array(storage[(range.lowerBound * width)..<(range.upperBound * width)]))
    }
}

extension Tensor: CustomStringConvertible {
    /// Shape only: tensors may hold private data, so their values are never printed.
    public var description: String { "Tensor(shape: \(shape))" }
}
