import CBLAS

/// Matrix products of dpflow. Every one goes through `cblas_sgemm` / `cblas_sgemv`.
public enum LinearAlgebra {
    /// Number of threads OpenBLAS uses for one product (`OPENBLAS_NUM_THREADS` at start-up).
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of OpenBLAS threads (e.g. 1 when several processes share the cores).
    public static func setThreadCount(_ n: Int) {
        precondition(n >= 1, "thread count must be ≥ 1")
        openblas_set_num_threads(Int32(n))
    }

    /// `C = alpha · op(A) · op(B) + beta · C` on raw row-major buffers.
    ///
    /// - Parameters:
    ///   - m, n, k: `op(A)` is m × k, `op(B)` is k × n, `C` is m × n.
    ///   - lda, ldb, ldc: row strides of the stored (untransposed) matrices.
    @inlinable
    public static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                            alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if beta == 0 { for i in 0..<m { (c + i &* ldc).update(repeating: 0, count: n) } }
            return
        }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }

    /// `y = alpha · op(A) · x + beta · y` for a row-major `rows × columns` matrix `A`.
    @inlinable
    public static func gemv(transpose: Bool, rows: Int, columns: Int, alpha: Float,
                            a: UnsafePointer<Float>, x: UnsafePointer<Float>,
                            beta: Float, y: UnsafeMutablePointer<Float>) {
        let outCount = transpose ? columns : rows
        if outCount == 0 { return }
        if rows == 0 || columns == 0 {
            if beta == 0 { y.update(repeating: 0, count: outCount) }
            return
        }
        cblas_sgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(rows), Int32(columns),
                    alpha, a, Int32(columns), x, 1, beta, y, 1)
    }
}

extension Tensor {
    /// Matrix product of two 2-D tensors, `op(self) · op(other)`, via `cblas_sgemm`.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        let (ar, ac) = (rows, columns)
        let (br, bc) = (other.rows, other.columns)
        let m = transposeSelf ? ac : ar
        let k = transposeSelf ? ar : ac
        let k2 = transposeOther ? bc : br
        let n = transposeOther ? br : bc
        precondition(k == k2, "matmul: inner dimensions differ (\(k) vs \(k2))")
        var out = [Float](repeating: 0, count: m * n)
        storage.withUnsafeBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { c in
                    LinearAlgebra.gemm(transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k,
                                       alpha: 1, a: a.baseAddress!, lda: ac, b: b.baseAddress!, ldb: bc,
                                       beta: 0, c: c.baseAddress!, ldc: n)
                }
            }
        }
        return Tensor(shape: [m, n], values: out)
    }
}
