/// Which privacy accountant turns a sequence of DP events into an (ε, δ) figure.
///
/// Every ε dpflow prints names the accountant that produced it.
public enum AccountantKind: String, Sendable, CaseIterable, Codable {
    /// Rényi DP (Mironov 2017; Mironov, Talwar & Zhang 2019) with the improved
    /// RDP → (ε, δ) conversion of Canonne, Kamath & Steinke (2020). Fast, slightly loose.
    case rdp
    /// Privacy loss distributions (Doroshenko et al. 2022), "connect the dots",
    /// pessimistic discretisation. Tighter than RDP, slower.
    case pld
}
