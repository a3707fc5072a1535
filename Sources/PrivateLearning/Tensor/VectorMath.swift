/// Vectorised reductions and elementwise kernels on Float buffers.
///
/// Reductions use explicit `SIMD8<Float>` accumulators: a plain `s += a[i]*b[i]` loop is not
/// auto-vectorised because it would change the floating-point summation order.
public enum VectorMath {
    /// Σ x[i]·y[i] over `count` elements.
    @inlinable
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i &+ 16 <= count {
            let a0 = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            let b0 = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
            let a1 = UnsafeRawPointer(x + (i &+ 8)).loadUnaligned(as: SIMD8<Float>.self)
            let b1 = UnsafeRawPointer(y + (i &+ 8)).loadUnaligned(as: SIMD8<Float>.self)
            acc0 = a0 * b0 + acc0
            acc1 = a1 * b1 + acc1
            i &+= 16
        }
        while i &+ 8 <= count {
            let a0 = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            let b0 = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
            acc0 = a0 * b0 + acc0
            i &+= 8
        }
        var s = (acc0 + acc1).sum()
        while i < count { s += x[i] * y[i]; i &+= 1 }
        return s
    }

    /// Σ x[i]² over `count` elements.
    @inlinable
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Float {
        dot(x, x, count: count)
    }

    /// Σ x[i].
    @inlinable
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i &+ 8 <= count {
            acc += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            i &+= 8
        }
        var s = acc.sum()
        while i < count { s += x[i]; i &+= 1 }
        return s
    }

    /// True when no element is NaN or ±∞ (`x − x` is NaN exactly for those; SIMD8 accumulation).
    @inlinable
    public static func allFinite(_ x: UnsafePointer<Float>, count: Int) -> Bool {
        var acc = SIMD8<Float>()
        var i = 0
        while i &+ 8 <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            acc += v - v
            i &+= 8
        }
        var s = acc.sum()
        while i < count { s += x[i] - x[i]; i &+= 1 }
        return s == 0
    }

    /// Squared L2 norm of each row of a row-major `rows × columns` buffer.
    @inlinable
    public static func rowSquaredNorms(_ x: UnsafePointer<Float>, rows: Int, columns: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows)
        for r in 0..<rows { out[r] = sumOfSquares(x + r &* columns, count: columns) }
        return out
    }
}

extension Tensor {
    /// True when no element is NaN or ±∞ (see `VectorMath.allFinite`).
    @inlinable
    public static func allFinite(_ x: UnsafePointer<Float>, count: Int) -> Bool {
        VectorMath.allFinite(x, count: count)
    }

    /// Squared L2 norm of each row (example) of a batch-first tensor.
    public func rowSquaredNorms() -> [Float] {
        if count == 0 { return [Float](repeating: 0, count: rows) }
        return storage.withUnsafeBufferPointer { VectorMath.rowSquaredNorms($0.baseAddress!, rows: rows, columns: columns) }
    }

    /// True when every element is finite.
    public var isFinite: Bool {
        if count == 0 { return true }
        return storage.withUnsafeBufferPointer { VectorMath.allFinite($0.baseAddress!, count: count) }
    }

    /// Σ of all squared elements.
    public func squaredNorm() -> Float {
        if count == 0 { return 0 }
        return storage.withUnsafeBufferPointer { VectorMath.sumOfSquares($0.baseAddress!, count: count) }
    }
}
