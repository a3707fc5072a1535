import Foundation

/// RDP of a private hyperparameter search that runs a random number K of trials and releases only
/// the best one (its output and score), from the RDP curve of one trial (Papernot & Steinke, ICLR 2022).
///
/// A trial picks its hyperparameters at random (data-independently) and runs a DP algorithm; its RDP
/// is at most the largest RDP over the candidates, order by order (Rényi divergence is quasi-convex
/// under a common mixture). Give that per-order maximum as `trialCurve` (`worstCase(of:)`).
///
/// - Truncated negative binomial `D_{η,γ}` (their Theorem 2): for every λ > 1 and any λ̂ ≥ 1,
///   `ε′(λ) = ε(λ) + (1+η)(1 − 1/λ̂)·ε(λ̂) + (1+η)·log(1/γ)/λ̂ + log(E[K])/(λ − 1)`;
///   λ̂ is chosen among `orders` to minimise the bound. Then, since RDP does not decrease with the
///   order, each order's value is lowered to the smallest value at any higher order.
/// - Poisson(μ) (their Theorem 6): if one trial is (ε̂, δ̂)-DP with `e^ε̂ ≤ 1 + 1/(λ−1)`, then
///   `ε′(λ) = ε(λ) + μ·δ̂ + log(μ)/(λ − 1)`; we take `ε̂ = log(1 + 1/(λ−1))` and δ̂ from the trial's
///   RDP curve (`RDPAccountant.delta`, the conversion given).
///
/// The result is again an RDP curve at the same orders: compose it with other events (it adds up) and
/// convert it with `RDPAccountant.epsilon(orders:rdp:delta:)`.
public enum RepeatAndSelectRDP {
    /// The per-order maximum of several trial curves (a trial whose hyperparameters are drawn at random
    /// among candidates is no less private than its least private candidate).
    public static func worstCase(of curves: [[Double]]) -> [Double] {
        guard let first = curves.first else { return [] }
        var out = first
        for c in curves.dropFirst() {
            for k in 0..<min(out.count, c.count) { out[k] = max(out[k], c[k]) }
        }
        return out
    }

    /// The RDP curve of "run K ~ `distribution` trials, release the best" at `orders`.
    /// - Parameters:
    ///   - trialCurve: RDP of one trial at each of `orders` (≥ 0).
    ///   - orders: Rényi orders > 1, same length.
    ///   - conversion: RDP → (ε̂, δ̂) conversion used by the Poisson bound.
    /// - Throws: `.invalidOrders`, `.invalidTrialDistribution`.
    public static func curve(trialCurve: [Double], orders: [Double], distribution: TrialCountDistribution,
                             conversion: RDPConversion = .improved) throws -> [Double] {
        try distribution.validate()
        guard orders.count == trialCurve.count, !orders.isEmpty else {
            throw PrivacyAccountingError.invalidOrders("\(orders.count) orders but \(trialCurve.count) RDP values")
        }
        for (a, r) in zip(orders, trialCurve) where !(a > 1 && a.isFinite && r >= 0 && !r.isNaN) {
            throw PrivacyAccountingError.invalidOrders("order \(a) with RDP \(r): need a finite α > 1 and RDP ≥ 0")
        }
        switch distribution {
        case .truncatedNegativeBinomial(let eta, let gamma):
            let logInverseGamma = -Foundation.log(gamma)
            // min over λ̂ ∈ orders of (1+η)[(1 − 1/λ̂) ε(λ̂) + log(1/γ)/λ̂].
            var best = Double.infinity
            for (a, r) in zip(orders, trialCurve) {
                best = min(best, (1 - 1 / a) * r + logInverseGamma / a)
            }
            let shared = (1 + eta) * best
            let logMean = Foundation.log(distribution.mean)
            let bound = zip(orders, trialCurve).map { a, r in r + shared + logMean / (a - 1) }
            // Monotonicity in the order: ε′(λ) ≤ ε′(λ′) for every λ′ ≥ λ.
            return orders.indices.map { i in
                var v = bound[i]
                for j in orders.indices where orders[j] >= orders[i] { v = min(v, bound[j]) }
                return v
            }
        case .poisson(let mu):
            let logMu = Foundation.log(mu)
            return try zip(orders, trialCurve).map { a, r in
                let epsilonHat = Foundation.log1p(1 / (a - 1))
                let deltaHat = try RDPAccountant.delta(orders: orders, rdp: trialCurve, epsilon: epsilonHat,
                                                       conversion: conversion).delta
                return r + mu * deltaHat + logMu / (a - 1)
            }
        }
    }

    /// ε at δ of the whole search, with the order attaining it.
    public static func epsilon(trialCurve: [Double], orders: [Double], distribution: TrialCountDistribution,
                               delta: Double, conversion: RDPConversion = .improved) throws -> (epsilon: Double, order: Double) {
        let total = try curve(trialCurve: trialCurve, orders: orders, distribution: distribution, conversion: conversion)
        return try RDPAccountant.epsilon(orders: orders, rdp: total, delta: delta, conversion: conversion)
    }
}
