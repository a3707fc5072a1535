import Foundation

/// Numerically stable helpers for quantities kept as natural logarithms.
enum LogSpace {
    /// log(eˣ + eʸ).
    @inline(__always)
    static func add(_ x: Double, _ y: Double) -> Double {
        let a = max(x, y), b = min(x, y)
        if b == -.infinity { return a }
        return a + Foundation.log1p(Foundation.exp(b - a))
    }

    /// log(eˣ − eʸ) for x ≥ y (−∞ when equal).
    @inline(__always)
    static func subtract(_ x: Double, _ y: Double) -> Double {
        precondition(x >= y, "log-space subtraction would be negative")
        if y == -.infinity { return x }
        if x == y { return -.infinity }
        return x + log1mexp(y - x)
    }

    /// log(1 − eˣ) for x ≤ 0, accurate near 0 and for very negative x (Mächler 2012).
    @inline(__always)
    static func log1mexp(_ x: Double) -> Double {
        if x > -0.6931471805599453 { return Foundation.log(-Foundation.expm1(x)) }
        return Foundation.log1p(-Foundation.exp(x))
    }

    /// log(1 + eˣ).
    @inline(__always)
    static func softplus(_ x: Double) -> Double {
        if x > 0 { return x + Foundation.log1p(Foundation.exp(-x)) }
        return Foundation.log1p(Foundation.exp(x))
    }

    /// log(eˣ − 1) for x > 0.
    @inline(__always)
    static func logExpm1(_ x: Double) -> Double {
        if x > 40 { return x }            // log1p(−e^{−x}) < 5e-18: below double precision.
        return Foundation.log(Foundation.expm1(x))
    }

    /// log(erfc(x)), accurate also where erfc underflows (x ≳ 26).
    static func logErfc(_ x: Double) -> Double {
        if x < 20 { return Foundation.log(Foundation.erfc(x)) }
        // Asymptotic series erfc(x) = e^{−x²}/(x√π) · Σ (−1)ⁿ (2n−1)!! / (2x²)ⁿ;
        // at x ≥ 20 the 8th term is < 1e-16 of the first.
        let t = 1 / (2 * x * x)
        var term = 1.0, sum = 1.0
        for n in 1...8 {
            term *= -Double(2 * n - 1) * t
            sum += term
        }
        return -x * x - Foundation.log(x) - 0.5723649429247001 + Foundation.log(sum) // 0.57236… = log √π
    }
}
