/// Double → Int conversions that cannot trap.
///
/// `Int(x)` traps when x is NaN, infinite or outside the Int range; every such conversion in the
/// accountants goes through here so that absurd parameters (σ = 1e-300, astronomically many
/// steps) end in ε = ∞ or a typed error, never in a crash.
enum CheckedConversion {
    /// Largest magnitude accepted (2⁶²): leaves room for a few additions without overflow.
    static let limit = 0x1p62

    /// `Int(x)` (truncating toward zero) if x is finite and |x| < 2⁶², else nil.
    @inline(__always)
    static func int(_ x: Double) -> Int? {
        guard x.isFinite, abs(x) < limit else { return nil }
        return Int(x)
    }

    /// `Int(x)` clamped into [−2⁶², 2⁶²]; NaN maps to `nanValue`.
    @inline(__always)
    static func clampedInt(_ x: Double, nanValue: Int) -> Int {
        if x.isNaN { return nanValue }
        if x >= limit { return Int(limit) }
        if x <= -limit { return -Int(limit) }
        return Int(x)
    }
}
