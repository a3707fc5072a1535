import DPTestSupport
import PrivateLearning
import Testing

@Suite("Core: tensors")
struct CoreTensorTests {
    func naiveMatmul(_ a: Tensor, _ b: Tensor, _ ta: Bool, _ tb: Bool) -> Tensor {
        let m = ta ? a.columns : a.rows, k = ta ? a.rows : a.columns
        let n = tb ? b.rows : b.columns
        var out = Tensor(zeros: [m, n])
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for p in 0..<k { s += (ta ? a[p, i] : a[i, p]) * (tb ? b[j, p] : b[p, j]) }
                out[i, j] = s
            }
        }
        return out
    }

    @Test("sgemm products equal a naive triple loop", arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulMatchesNaive(ta: Bool, tb: Bool) {
        let a = Fixtures.gaussian(shape: ta ? [5, 3] : [3, 5], seed: 1)
        let b = Fixtures.gaussian(shape: tb ? [4, 5] : [5, 4], seed: 2)
        assertClose(a.matmul(b, transposeSelf: ta, transposeOther: tb), naiveMatmul(a, b, ta, tb), rtol: 1e-5, atol: 1e-5)
    }

    @Test("SIMD reductions equal scalar sums for lengths around the vector width")
    func reductions() {
        for n in [0, 1, 7, 8, 9, 15, 16, 17, 33, 100] {
            let x = Fixtures.gaussian(shape: [n], seed: UInt64(n) + 10)
            var expected: Double = 0
            for v in x.storage { expected += Double(v) * Double(v) }
            #expect(abs(Double(x.squaredNorm()) - expected) <= 1e-5 * max(1, expected))
        }
    }

    @Test("row gathering and slicing keep rows intact")
    func gather() {
        let t = Tensor([[1, 2], [3, 4], [5, 6]])
        #expect(t.gatheringRows([2, 0]) == Tensor([[5, 6], [1, 2]]))
        #expect(t.slicingRows(1..<3) == Tensor([[3, 4], [5, 6]]))
        #expect(t.gatheringRows([]).shape == [0, 2])
        #expect(t.rowSquaredNorms() == [5, 25, 61])
    }

    @Test("description shows the shape, never values")
    func descriptionHidesValues() {
        #expect(Tensor([[123.456]]).description == "Tensor(shape: [1, 1])")
    }
}

@Suite("Core: finiteness check")
struct CoreFiniteTests {
    @Test("isFinite finds NaN and infinities at any position", arguments: [0, 7, 8, 15, 16, 20])
    func detects(position: Int) {
        var t = Fixtures.gaussian(shape: [21], seed: 1)
        #expect(t.isFinite)
        for bad in [Float.nan, .infinity, -.infinity] {
            var u = t
            u.storage[position] = bad
            #expect(!u.isFinite)
        }
        t.storage[position] = .greatestFiniteMagnitude
        #expect(t.isFinite)
    }
}
