import CBLAS
import CSystemRandom
func _linkCheck() -> Float {
    var a: [Float] = [1, 2, 3, 4]; var b: [Float] = [1, 0, 0, 1]; var c = [Float](repeating: 0, count: 4)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1, &a, 2, &b, 2, 0, &c, 2)
    var x: UInt64 = 0
    _ = getrandom(&x, 8, 0)
    return c[3]
}
