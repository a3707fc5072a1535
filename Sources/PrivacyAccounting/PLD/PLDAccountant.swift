import Foundation

/// Privacy-loss-distribution accountant (placeholder until implemented).
public struct PLDAccountant: Sendable {
    public var discretization: Double
    public init(discretization: Double = 1e-4) throws {
        guard discretization.isFinite, discretization > 0 else {
            throw PrivacyAccountingError.invalidDiscretization(discretization)
        }
        self.discretization = discretization
    }
    public func epsilon(for event: DPEvent, delta: Double) throws -> Double {
        throw PrivacyAccountingError.unsupportedEvent("PLD not implemented yet")
    }
}
