import Foundation

/// How an RDP curve is turned into an (ε, δ) guarantee.
public enum RDPConversion: String, Sendable, CaseIterable, Codable {
    /// Canonne, Kamath & Steinke (2020), Prop. 12 (as in dp_accounting's `compute_epsilon`):
    /// `ε = min_α [r_α + log1p(−1/α) − log(δ·α)/(α−1)]`, with ε = 0 when `δ² + expm1(−r_α) > 0`.
    case improved
    /// Mironov (2017), Prop. 3: `ε = min_α [r_α − log δ/(α−1)]`. Looser; reproduces the tables
    /// in the TF Privacy and Opacus READMEs (e.g. 1.19 / 3.01 / 7.10 for MNIST).
    case classic
}

extension RDPAccountant {
    /// ε for δ from an RDP curve, with the order that attains it.
    ///
    /// - Parameters:
    ///   - orders: Rényi orders α > 1.
    ///   - rdp: RDP values r_α ≥ 0 (already composed), same length as `orders`.
    ///   - delta: target δ ∈ (0, 1).
    ///   - conversion: which RDP → (ε, δ) conversion to use.
    /// - Throws: `PrivacyAccountingError.invalidDelta`, `.invalidOrders`.
    public static func epsilon(orders: [Double], rdp: [Double], delta: Double,
                               conversion: RDPConversion = .improved) throws -> (epsilon: Double, order: Double) {
        guard delta > 0, delta < 1 else { throw PrivacyAccountingError.invalidDelta(delta) }
        guard orders.count == rdp.count, !orders.isEmpty else {
            throw PrivacyAccountingError.invalidOrders("\(orders.count) orders but \(rdp.count) RDP values")
        }
        let logDelta = Foundation.log(delta)
        var best = Double.infinity, bestOrder = orders[0]
        for k in 0..<orders.count {
            let a = orders[k], r = rdp[k]
            guard a > 1, r >= 0 else {
                throw PrivacyAccountingError.invalidOrders("order \(a) with RDP \(r): need α > 1 and RDP ≥ 0")
            }
            let e: Double
            switch conversion {
            case .improved:
                if delta * delta + Foundation.expm1(-r) > 0 {
                    e = 0  // δ ≥ sqrt(1 − e^{−KL}) already (Pinsker-type bound).
                } else if a > 1.01 {
                    e = r + Foundation.log1p(-1 / a) - (logDelta + Foundation.log(a)) / (a - 1)
                } else {
                    e = .infinity
                }
            case .classic:
                e = r - logDelta / (a - 1)
            }
            if e < best { best = e; bestOrder = a }
        }
        return (max(0, best), bestOrder)
    }

    /// δ for ε from an RDP curve (Canonne–Kamath–Steinke 2020, Prop. 12, combined with the
    /// KL bound δ ≤ sqrt(1 − e^{−r}) as in dp_accounting's `compute_delta`).
    public static func delta(orders: [Double], rdp: [Double], epsilon: Double,
                             conversion: RDPConversion = .improved) throws -> (delta: Double, order: Double) {
        guard epsilon >= 0, epsilon.isFinite else { throw PrivacyAccountingError.invalidEpsilon(epsilon) }
        guard orders.count == rdp.count, !orders.isEmpty else {
            throw PrivacyAccountingError.invalidOrders("\(orders.count) orders but \(rdp.count) RDP values")
        }
        var best = Double.infinity, bestOrder = orders[0]
        for k in 0..<orders.count {
            let a = orders[k], r = rdp[k]
            guard a > 1, r >= 0 else {
                throw PrivacyAccountingError.invalidOrders("order \(a) with RDP \(r): need α > 1 and RDP ≥ 0")
            }
            var logDelta: Double
            switch conversion {
            case .improved:
                logDelta = r == 0 ? -.infinity : 0.5 * LogSpace.log1mexp(-r)
                if a > 1.01 {
                    logDelta = min(logDelta, (a - 1) * (r - epsilon + Foundation.log1p(-1 / a)) - Foundation.log(a))
                }
            case .classic:
                logDelta = (a - 1) * (r - epsilon)
            }
            if logDelta < best { best = logDelta; bestOrder = a }
        }
        return (min(Foundation.exp(best), 1), bestOrder)
    }
}
