import Foundation
@testable import PrivacyAccounting

/// The reference table made by scripts/accounting/make_fixtures.py (dp_accounting 0.4.3, mpmath).
struct AccountingFixtures: Decodable {
    struct Provenance: Decodable { let dp_accounting: String; let python: String; let mpmath: String }
    struct RDPOrderRow: Decodable {
        let q: Double, sigma: Double, order: Double
        let rdp_dp_accounting_0_4_3: Double
        let rdp_mpmath: Double?
    }
    struct EpsilonRow: Decodable { let q: Double, sigma: Double, steps: Int, delta: Double, epsilon: Double }
    struct DeltaRow: Decodable { let q: Double, sigma: Double, steps: Int, epsilon: Double, delta: Double }
    struct NamedRow: Decodable { let name: String, delta: Double, epsilon: Double }
    struct ClassicRow: Decodable {
        let q: Double, sigma: Double, epochs: Double, steps: Int, delta: Double
        let orders: String, epsilon_classic: Double
    }
    struct AnalyticRow: Decodable { let sigma: Double, delta: Double, count: Int, epsilon: Double }
    struct CurveRow: Decodable { let q: Double, sigma: Double, rdp: [Double] }
    struct PLDRow: Decodable {
        let name: String, kind: String, delta: Double, discretization: Double, epsilon: Double
        let q: Double?, sigma: Double?, steps: Int?, scale: Double?, rdp_epsilon: Double?
    }

    struct WORCurve: Decodable { let n: Int, m: Int, q: Double, sigma: Double, rdp: [Double] }
    struct WOREpsilon: Decodable { let n: Int, m: Int, q: Double, sigma: Double, steps: Int, delta: Double, epsilon: Double }
    struct WOR: Decodable { let orders: [Double]; let curves: [WORCurve]; let epsilon: [WOREpsilon] }

    let provenance: Provenance
    let default_orders: [Double]
    let rdp_per_order: [RDPOrderRow]
    let rdp_curves: [CurveRow]
    let rdp_epsilon: [EpsilonRow]
    let rdp_epsilon_random: [EpsilonRow]
    let rdp_delta: [DeltaRow]
    let rdp_accountant_events: [NamedRow]
    let classic_conversion_mnist: [ClassicRow]
    let analytic_gaussian: [AnalyticRow]
    let pld: [PLDRow]
    let pld_delta: [DeltaRow]
    let sampled_without_replacement: WOR

    static func load() throws -> AccountingFixtures {
        guard let url = Bundle.module.url(forResource: "accounting_fixtures", withExtension: "json",
                                          subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try JSONDecoder().decode(AccountingFixtures.self, from: Data(contentsOf: url))
    }
}

/// |a − b| ≤ rtol·|b| + atol.
func isClose(_ a: Double, _ b: Double, rtol: Double, atol: Double = 0) -> Bool {
    if a == b { return true }
    return abs(a - b) <= rtol * abs(b) + atol
}
