/// What every accountant offers: compose DP events, then read off ε for δ or δ for ε.
///
/// Accountants are values: copy one to branch a "what if" composition; nothing is shared.
public protocol PrivacyAccountant: Sendable {
    /// Which accountant this is (every reported ε names it).
    var kind: AccountantKind { get }
    /// Adds `event`, repeated `count` times, to the composition.
    mutating func compose(_ event: DPEvent, count: Int) throws
    /// ε of the composition at δ ∈ (0, 1).
    func epsilon(delta: Double) throws -> Double
    /// δ of the composition at ε ≥ 0.
    func delta(epsilon: Double) throws -> Double
}

extension RDPAccountant: PrivacyAccountant {
    public var kind: AccountantKind { .rdp }
}

extension PLDAccountant: PrivacyAccountant {
    public var kind: AccountantKind { .pld }
}

extension AccountantKind {
    /// A fresh accountant of this kind with default settings (RDP: dp_accounting's orders and the
    /// improved conversion; PLD: discretisation 1e-4).
    public func makeAccountant() -> any PrivacyAccountant {
        switch self {
        // Default parameters are valid by construction, so these initialisers cannot throw.
        case .rdp: return try! RDPAccountant()
        case .pld: return try! PLDAccountant()
        }
    }
}
