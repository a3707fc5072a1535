/// Exact fixed-point privacy amounts, so that sums in the ledger never drift.
///
/// ε is stored in units of 10⁻¹² and δ in units of 10⁻¹⁸ as 64-bit integers. Amounts charged are
/// rounded **up** and grants rounded **down**, so the stored books are always at least as
/// conservative as the real numbers: `0.1 + 0.1 + 0.1` fits a grant of `0.3` exactly, and no
/// floating-point accumulation can let a spend slip past the grant.
enum BudgetAmount {
    static let epsilonUnit = 1e-12
    static let deltaUnit = 1e-18

    static func epsilonUnitsCharged(_ e: Double) -> Int64 { Int64((e / epsilonUnit).rounded(.up)) }
    static func deltaUnitsCharged(_ d: Double) -> Int64 { Int64((d / deltaUnit).rounded(.up)) }
    static func epsilonUnitsGranted(_ e: Double) -> Int64 { Int64((e / epsilonUnit).rounded(.down)) }
    static func deltaUnitsGranted(_ d: Double) -> Int64 { Int64((d / deltaUnit).rounded(.down)) }
    static func epsilon(_ units: Int64) -> Double { Double(units) / 1e12 }
    static func delta(_ units: Int64) -> Double { Double(units) / 1e18 }

    /// Checks that ε and δ are usable amounts (finite, ≥ 0, δ < 1, ε ≤ 10⁶).
    static func validate(epsilon: Double, delta: Double) throws {
        guard epsilon.isFinite, epsilon >= 0, epsilon <= 1e6 else {
            throw DataFrameError.invalidBudget("ε must be a finite number in [0, 1e6]")
        }
        guard delta.isFinite, delta >= 0, delta < 1 else {
            throw DataFrameError.invalidBudget("δ must be in [0, 1)")
        }
    }
}
