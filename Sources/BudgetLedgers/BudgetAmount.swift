import Foundation

/// Exact fixed-point privacy amounts, so that sums in the ledger never drift.
///
/// ε is stored in units of 10⁻¹² and δ in units of 10⁻¹⁸ as 64-bit integers.
///
/// **One rounding rule** for grants, charges, allotments and `dpflow plan`: an amount is converted from its
/// shortest decimal form (the digits that round-trip to the same `Double` — what a user writes, `1e-07`, `0.3`),
/// exactly, in decimal arithmetic. A charge that is not a whole number of units rounds **up**, a grant rounds
/// **down**; an amount written with at most 12 (ε) or 18 (δ) decimals therefore converts exactly either way, so
/// a grant of δ = 1e-7 pays exactly a charge of δ = 1e-7 (binary floating point would make the grant
/// 99999999999 units and the charge 100000000000). `0.1 + 0.1 + 0.1` fits a grant of `0.3` exactly, and no
/// floating-point accumulation can let a spend slip past the grant. `dpflow plan` decides "fits" with these
/// same integers (`fits`), so a plan that fits is a reservation that is accepted.
public enum BudgetAmount {
    /// ε per unit.
    public static let epsilonUnit = 1e-12
    /// δ per unit.
    public static let deltaUnit = 1e-18

    /// ε units a charge of `e` costs (rounded up).
    public static func epsilonUnitsCharged(_ e: Double) -> Int64 { units(e, scale: 12, up: true) }
    /// δ units a charge of `d` costs (rounded up).
    public static func deltaUnitsCharged(_ d: Double) -> Int64 { units(d, scale: 18, up: true) }
    /// ε units a grant of `e` gives (rounded down).
    public static func epsilonUnitsGranted(_ e: Double) -> Int64 { units(e, scale: 12, up: false) }
    /// δ units a grant of `d` gives (rounded down).
    public static func deltaUnitsGranted(_ d: Double) -> Int64 { units(d, scale: 18, up: false) }
    /// ε of `units`.
    public static func epsilon(_ units: Int64) -> Double { Double(units) / 1e12 }
    /// δ of `units`.
    public static func delta(_ units: Int64) -> Double { Double(units) / 1e18 }

    /// Whether a charge of (ε, δ) fits what is left (`remaining…Units`, as the ledger keeps it): the test
    /// `reserve` applies, shared with `dpflow plan`.
    public static func fits(epsilon: Double, delta: Double, remainingEpsilonUnits: Int64, remainingDeltaUnits: Int64) -> Bool {
        epsilonUnitsCharged(epsilon) <= remainingEpsilonUnits && deltaUnitsCharged(delta) <= remainingDeltaUnits
    }

    /// `x · 10^scale` from the shortest decimal form of `x`, rounded up or down to an integer. Amounts are
    /// validated first (finite, 0 ≤ ε ≤ 10⁶, 0 ≤ δ < 1), so the result fits an `Int64`; anything else saturates
    /// (never traps).
    static func units(_ x: Double, scale: Int, up: Bool) -> Int64 {
        guard x.isFinite else { return x > 0 ? Int64.max : 0 }
        if x <= 0 { return 0 }
        // Shortest round-trip decimal: "1e-07", "0.30000000000000004", "123.5", "1e+20".
        let text = "\(x)".lowercased()
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = String(parts[0])
        var exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        var digits = ""
        if let dot = mantissa.firstIndex(of: ".") {
            let fraction = mantissa[mantissa.index(after: dot)...]
            digits = String(mantissa[..<dot]) + fraction
            exponent -= fraction.count
        } else {
            digits = mantissa
        }
        // value = digits · 10^exponent; units = digits · 10^(exponent + scale).
        let shift = exponent + scale
        let trimmed = String(digits.drop { $0 == "0" })
        if trimmed.isEmpty { return 0 }
        if shift >= 0 {
            guard trimmed.count <= 19, let base = Int64(trimmed) else { return Int64.max }
            var value = base
            for _ in 0..<shift {
                let (m, overflow) = value.multipliedReportingOverflow(by: 10)
                if overflow { return Int64.max }
                value = m
            }
            return value
        }
        // Drop -shift trailing digits; round up when any dropped digit is non-zero.
        let drop = -shift
        if drop >= trimmed.count { return up ? 1 : 0 }
        let kept = trimmed.dropLast(drop), dropped = trimmed.suffix(drop)
        guard let base = Int64(kept) else { return Int64.max }
        let exact = dropped.allSatisfy { $0 == "0" }
        return up && !exact && base < Int64.max ? base + 1 : base
    }

    /// Checks that ε and δ are usable amounts (finite, ≥ 0, δ < 1, ε ≤ 10⁶).
    public static func validate(epsilon: Double, delta: Double) throws {
        guard epsilon.isFinite, epsilon >= 0, epsilon <= 1e6 else {
            throw LedgerError.invalidBudget("ε must be a finite number in [0, 1e6]")
        }
        guard delta.isFinite, delta >= 0, delta < 1 else {
            throw LedgerError.invalidBudget("δ must be in [0, 1)")
        }
    }
}
