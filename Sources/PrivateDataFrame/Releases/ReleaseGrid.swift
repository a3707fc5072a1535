/// The public power-of-two grid a release is computed on: every value is snapped to a multiple of the
/// granularity 2ᵏ, the statistic is an exact integer number of grid units, and the noise is an exact integer.
///
/// Released values are therefore `integer × 2ᵏ`, exactly representable, and never carry floating-point noise.
public struct ReleaseGrid: Sendable, Equatable, Hashable {
    /// k, the granularity being 2ᵏ.
    public let exponent: Int

    /// The granularity 2ᵏ.
    public var granularity: Double { Double(sign: .plus, exponent: exponent, significand: 1) }

    init(exponent: Int) { self.exponent = exponent }

    /// A declared granularity.
    /// - Throws: `DataFrameError.invalidArgument` unless it is a power of two in [2⁻⁶⁰, 2⁶⁰].
    public init(granularity: Double) throws {
        guard granularity.isNormal, granularity > 0, granularity.significandBitPattern == 0,
              (-60...60).contains(Int(granularity.exponent)) else {
            throw DataFrameError.invalidArgument("granularity \(granularity) must be a power of two between 2^-60 and 2^60 (e.g. 0.25, 1, 1024)")
        }
        exponent = Int(granularity.exponent)
    }

    /// Counts: granularity 1.
    static let unit = ReleaseGrid(exponent: 0)

    /// The default for values bounded by `bounds`: 2^(⌊log₂ W⌋ − 20) with W = max(|lo|, |hi|, hi − lo), so a
    /// row spans at most 2²¹ grid units and rounds by at most W·2⁻²¹. Depends only on the declared bounds.
    static func defaultFor(bounds: ClosedRange<Double>) -> ReleaseGrid {
        let w = max(Swift.abs(bounds.lowerBound), Swift.abs(bounds.upperBound), bounds.upperBound - bounds.lowerBound)
        guard w.isNormal else { return unit }
        return ReleaseGrid(exponent: max(-60, min(60, Int(w.exponent) - 20)))
    }

    /// The same grid, 2^`steps` times coarser.
    func coarser(by steps: Int) -> ReleaseGrid { ReleaseGrid(exponent: min(60, exponent + steps)) }

    /// v in grid units, rounded to the nearest integer (ties away from zero). Monotone in v.
    func units(_ v: Double) -> Int64 {
        let scaled = (v * Double(sign: .plus, exponent: -exponent, significand: 1)).rounded(.toNearestOrAwayFromZero)
        if !(scaled < 0x1p62) { return 1 << 62 }
        if !(scaled > -0x1p62) { return -(1 << 62) }
        return Int64(scaled)
    }

    /// `units × 2ᵏ` (exact for |units| < 2⁵³).
    func value(_ units: Int64) -> Double { Double(units) * granularity }

    /// How many grid units one row moves a count: 1 on grids of 1 or coarser (rounding is monotone), 2⁻ᵏ on finer ones.
    var countStep: UInt64 { exponent >= 0 ? 1 : UInt64(1) << UInt64(min(-exponent, 40)) }

    /// Snapped bounds [A, B] of a column, refused when a row would span more than 2³⁰ grid units.
    func snappedBounds(_ bounds: ClosedRange<Double>, column: String) throws -> (Int64, Int64) {
        let a = units(bounds.lowerBound), b = units(bounds.upperBound)
        guard a.magnitude <= 1 << 30, b.magnitude <= 1 << 30 else {
            throw DataFrameError.invalidArgument("granularity \(granularity) is too fine for the bounds of '\(column)' (more than 2^30 grid units per row): declare a coarser one")
        }
        return (a, b)
    }
}
