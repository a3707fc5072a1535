import Foundation
import Testing
@testable import PrivacyAccounting

/// Reference values published with their source (DP-NOTES.md, op_tensorflow docs, dp_accounting 0.4.3).
@Suite struct ReferenceValueTests {
    /// op_tensorflow's documented budget: N = 100,000, B = 4, σ = 1.2, 20 epochs, δ = 1e-5.
    @Test func opTensorflowDocumentedBudget() throws {
        let b = try privacyBudget(examples: 100_000, batchSize: 4, noiseMultiplier: 1.2, epochs: 20, delta: 1e-5)
        #expect(b.steps == 500_000)
        #expect(b.samplingRate == 4.0 / 100_000)
        #expect(b.accountant == .rdp)
        #expect(abs(b.epsilon - 0.2778802396005823) <= 1e-6 * 0.2778802396005823)
    }

    /// q = 0.01, σ = 1.1, one step: RDP at α = 2, 3, 4, 8 (dp_accounting 0.4.3).
    @Test(arguments: [(2.0, 1.2851008e-4), (3.0, 1.9627789e-4), (4.0, 2.6671831e-4), (8.0, 5.8407034e-4)])
    func integerOrderRDP(order: Double, expected: Double) {
        let r = RDPAccountant.subsampledGaussianRDP(samplingRate: 0.01, noiseMultiplier: 1.1, order: order)
        // The reference is printed to 8 significant digits: tolerance 5e-8 relative.
        #expect(abs(r - expected) <= 5e-8 * expected)
    }

    /// TF Privacy MNIST: q = 256/60000, σ = 1.1, 60 epochs, δ = 1e-5 → RDP 2.5967;
    /// classic conversion over TF Privacy's legacy orders 3.0092 (README: 3.01).
    @Test func mnistRDP() throws {
        let q = 256.0 / 60000
        let steps = Int((60.0 * 60000 / 256).rounded(.up))
        let eps = try epsilon(samplingRate: q, noiseMultiplier: 1.1, steps: steps, delta: 1e-5)
        #expect(abs(eps - 2.5967) < 5e-5)
        var acc = try RDPAccountant(orders: RDPAccountant.tfPrivacyLegacyOrders, conversion: .classic)
        try acc.compose(.dpsgd(samplingRate: q, noiseMultiplier: 1.1, steps: steps))
        #expect(abs(try acc.epsilon(delta: 1e-5) - 3.0092) < 5e-5)
    }

    /// q = 1, σ = 1, one step: RDP (improved conversion) 4.7285.
    @Test func fullBatchOneStepRDP() throws {
        let eps = try epsilon(samplingRate: 1, noiseMultiplier: 1, steps: 1, delta: 1e-5)
        #expect(abs(eps - 4.7285) < 5e-5)
    }
}
