import Foundation
import Testing
@testable import PrivacyAccounting

/// Bad inputs throw typed errors naming the parameter (table-driven).
@Suite struct InvalidInputTests {
    struct Case: Sendable, CustomStringConvertible {
        let q: Double, sigma: Double, steps: Int, delta: Double
        let expected: PrivacyAccountingError
        var description: String { "\(expected)" }
    }

    static let cases: [Case] = [
        Case(q: 1.5, sigma: 1, steps: 10, delta: 1e-5, expected: .invalidSamplingRate(1.5)),
        Case(q: 0, sigma: 1, steps: 10, delta: 1e-5, expected: .invalidSamplingRate(0)),
        Case(q: -0.1, sigma: 1, steps: 10, delta: 1e-5, expected: .invalidSamplingRate(-0.1)),
        Case(q: 0.1, sigma: 0, steps: 10, delta: 1e-5, expected: .invalidNoiseMultiplier(0)),
        Case(q: 0.1, sigma: -1, steps: 10, delta: 1e-5, expected: .invalidNoiseMultiplier(-1)),
        Case(q: 0.1, sigma: .infinity, steps: 10, delta: 1e-5, expected: .invalidNoiseMultiplier(.infinity)),
        Case(q: 0.1, sigma: 1, steps: 0, delta: 1e-5, expected: .invalidSteps(0)),
        Case(q: 0.1, sigma: 1, steps: 10, delta: 0, expected: .invalidDelta(0)),
        Case(q: 0.1, sigma: 1, steps: 10, delta: 1, expected: .invalidDelta(1)),
    ]

    @Test(arguments: cases, AccountantKind.allCases)
    func epsilonRejects(_ c: Case, accountant: AccountantKind) {
        #expect(throws: c.expected) {
            _ = try epsilon(samplingRate: c.q, noiseMultiplier: c.sigma, steps: c.steps, delta: c.delta,
                            accountant: accountant)
        }
    }

    @Test func nanIsRejected() {
        #expect(throws: PrivacyAccountingError.self) {
            _ = try epsilon(samplingRate: .nan, noiseMultiplier: 1, steps: 1, delta: 1e-5)
        }
    }

    @Test func budgetRejectsBadRunShape() {
        #expect(throws: PrivacyAccountingError.invalidBatchSize(batchSize: 200, examples: 100)) {
            _ = try privacyBudget(examples: 100, batchSize: 200, noiseMultiplier: 1, epochs: 1, delta: 1e-5)
        }
        #expect(throws: PrivacyAccountingError.invalidExamples(0)) {
            _ = try privacyBudget(examples: 0, batchSize: 1, noiseMultiplier: 1, epochs: 1, delta: 1e-5)
        }
        #expect(throws: PrivacyAccountingError.invalidEpochs(-1)) {
            _ = try privacyBudget(examples: 100, batchSize: 10, noiseMultiplier: 1, epochs: -1, delta: 1e-5)
        }
        #expect(throws: PrivacyAccountingError.invalidEpsilon(0)) {
            _ = try calibrateNoiseMultiplier(targetEpsilon: 0, delta: 1e-5, examples: 100, batchSize: 10, epochs: 1)
        }
    }

    @Test func accountantsRejectBadConfiguration() {
        #expect(throws: PrivacyAccountingError.self) { _ = try RDPAccountant(orders: []) }
        #expect(throws: PrivacyAccountingError.self) { _ = try RDPAccountant(orders: [0.5, 2]) }
        #expect(throws: PrivacyAccountingError.invalidDiscretization(0)) { _ = try PLDAccountant(discretization: 0) }
        #expect(throws: PrivacyAccountingError.self) {
            var acc = try RDPAccountant()
            try acc.compose(.poissonSampled(samplingRate: 0.1, event: .laplace(scale: 1)))
        }
    }

    /// A σ far too small for the grid is refused with a typed error instead of allocating
    /// gigabytes, and the accountant is left unchanged.
    @Test func pldRefusesHugeGrids() throws {
        var acc = try PLDAccountant()
        try acc.compose(.gaussian(noiseMultiplier: 2))
        let before = try acc.epsilon(delta: 1e-5)
        #expect(throws: PrivacyAccountingError.self) {
            try acc.compose(.composed([.gaussian(noiseMultiplier: 3),
                                       .poissonSampled(samplingRate: 0.5, event: .gaussian(noiseMultiplier: 1e-3))]))
        }
        #expect(try acc.epsilon(delta: 1e-5) == before)
        #expect(PrivacyAccountingError.pldGridTooLarge(points: 10, limit: 5).description.contains("RDP"))
    }

    /// Messages name the parameter and its accepted range.
    @Test func messagesAreActionable() {
        let m = PrivacyAccountingError.invalidSamplingRate(1.5).localizedDescription
        #expect(m.contains("sampling rate") && m.contains("(0, 1]"))
    }
}
