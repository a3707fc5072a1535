import PrivateLearning
import Testing

/// Largest elementwise relative error `|a−b| / max(|a|, |b|, atol/rtol)`.
public func maxRelativeError(_ a: [Float], _ b: [Float], rtol: Float, atol: Float) -> Float {
    precondition(a.count == b.count, "compared arrays differ in length")
    var worst: Float = 0
    for (x, y) in zip(a, b) {
        worst = max(worst, abs(x - y) / max(abs(x), abs(y), atol / rtol))
    }
    return worst
}

/// Expects `|a_i − b_i| ≤ atol + rtol·max(|a_i|, |b_i|)` elementwise; reports at the caller.
public func assertClose(_ a: [Float], _ b: [Float], rtol: Float = 1e-4, atol: Float = 1e-6,
                        _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, "lengths differ \(comment)", sourceLocation: sourceLocation)
    guard a.count == b.count else { return }
    var worst = 0, worstExcess: Float = 0
    for i in a.indices {
        let excess = abs(a[i] - b[i]) - (atol + rtol * max(abs(a[i]), abs(b[i])))
        if excess > worstExcess || excess.isNaN { worst = i; worstExcess = excess.isNaN ? .infinity : excess }
    }
    #expect(worstExcess <= 0, "element \(worst): \(a[worst]) vs \(b[worst]) \(comment)", sourceLocation: sourceLocation)
}

/// Tensor overload of `assertClose`.
public func assertClose(_ a: Tensor, _ b: Tensor, rtol: Float = 1e-4, atol: Float = 1e-6,
                        _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.shape == b.shape, "shapes \(a.shape) vs \(b.shape) \(comment)", sourceLocation: sourceLocation)
    assertClose(a.storage, b.storage, rtol: rtol, atol: atol, comment, sourceLocation: sourceLocation)
}
