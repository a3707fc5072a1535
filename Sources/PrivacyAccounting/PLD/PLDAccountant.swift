import Foundation

/// Privacy-loss-distribution accountant (Doroshenko, Ghazi, Kamath, Kumar & Manurangsi 2022;
/// the algorithm of dp_accounting's `PLDAccountant`).
///
/// Each mechanism's privacy loss is discretised on a grid of width `discretization` by
/// pessimistic "connect the dots" from its exact δ(ε) curve, so the reported ε is an upper bound
/// up to the discretisation error (≈ steps·d in the worst case, typically far less). Self-composition
/// is one FFT power (FFTW) restricted to a Chernoff range holding all but 1e-15 of the mass; the
/// truncated mass is charged to δ. Both directions of add/remove-one are tracked and the worse
/// is reported.
///
/// Supports `.gaussian`, `.laplace`, `.poissonSampled` of either (or of a composition of
/// Gaussians, via the equivalent single Gaussian), and compositions.
public struct PLDAccountant: Sendable {
    /// Width of the privacy-loss grid (default 1e-4, as dp_accounting). Smaller is tighter and slower.
    public let discretization: Double
    private var remove: PLDPmf
    private var add: PLDPmf

    /// - Parameter discretization: grid width d > 0 of the discretised privacy loss.
    /// - Throws: `PrivacyAccountingError.invalidDiscretization`.
    public init(discretization: Double = 1e-4) throws {
        guard discretization.isFinite, discretization > 0, discretization < 1 else {
            throw PrivacyAccountingError.invalidDiscretization(discretization)
        }
        self.discretization = discretization
        remove = .identity(discretization: discretization)
        add = .identity(discretization: discretization)
    }

    /// Adds `event` (repeated `count` times) to the composition.
    public mutating func compose(_ event: DPEvent, count: Int = 1) throws {
        guard count >= 0 else { throw PrivacyAccountingError.invalidSteps(count) }
        try event.validate()
        if count == 0 { return }
        // Compose into a copy so that an error part-way through a composite event leaves this
        // accountant as it was.
        var next = self
        try next.composeValidated(event, count: count)
        self = next
    }

    private mutating func composeValidated(_ event: DPEvent, count: Int) throws {
        switch event {
        case .selfComposed(let inner, let c):
            if c > 0 {
                let (total, overflow) = count.multipliedReportingOverflow(by: c)
                guard !overflow else { throw PrivacyAccountingError.stepCountOverflow("\(count) × \(c) compositions") }
                try composeValidated(inner, count: total)
            }
        case .composed(let events):
            for e in events { try composeValidated(e, count: count) }
        case .gaussian(let sigma):
            // k Gaussians with σ compose exactly to one Gaussian with σ/√k.
            try append(try mechanism(.gaussian(sigma: sigma / Double(count).squareRoot()), q: 1), count: 1)
        case .laplace(let b):
            try Self.checkCompositions(count)
            try append(try mechanism(.laplace(scale: b), q: 1), count: count)
        case .poissonSampled(let q, let inner):
            if q == 0 { return }
            try Self.checkCompositions(count)   // before the (possibly large) grid is built
            let noise: AdditiveNoisePrivacyLoss.Noise
            if case .laplace(let b) = inner {
                noise = .laplace(scale: b)
            } else if let sigma = inner.effectiveGaussianNoiseMultiplier {
                noise = .gaussian(sigma: sigma)
            } else {
                throw PrivacyAccountingError.unsupportedEvent(
                    "PLD supports Poisson sampling of a Gaussian, a Laplace, or a composition of Gaussians")
            }
            try append(try mechanism(noise, q: q), count: count)
        case .sampledWithoutReplacement:
            throw PrivacyAccountingError.unsupportedEvent(
                "the PLD accountant does not account for sampling without replacement under replace-one "
                + "(fixed-size batches); use the RDP accountant (accountant: rdp)")
        }
    }

    private func mechanism(_ noise: AdditiveNoisePrivacyLoss.Noise, q: Double) throws -> (remove: PLDPmf, add: PLDPmf) {
        let r = try AdditiveNoisePrivacyLoss(noise: noise, samplingRate: q, adjacency: .remove)
            .connectTheDotsPMF(discretization: discretization)
        if q == 1 { return (r, r) }  // Both directions coincide without subsampling.
        let a = try AdditiveNoisePrivacyLoss(noise: noise, samplingRate: q, adjacency: .add)
            .connectTheDotsPMF(discretization: discretization)
        return (r, a)
    }

    /// Largest self-composition count the PLD accountant evaluates: its FFT power has relative
    /// round-off ≈ count·1e-16, meaningless beyond ~10¹². Longer runs get a typed error (use RDP).
    public static let maximumCompositions = 1_000_000_000_000

    private static func checkCompositions(_ count: Int) throws {
        guard count <= maximumCompositions else {
            throw PrivacyAccountingError.stepCountOverflow(
                "\(count) compositions exceed the PLD accountant's limit of 10¹²; use the RDP accountant")
        }
    }

    private mutating func append(_ m: (remove: PLDPmf, add: PLDPmf), count: Int) throws {
        try Self.checkCompositions(count)
        let r = try m.remove.selfComposed(count), a = try m.add.selfComposed(count)
        let newRemove = Self.isIdentity(remove) ? r : try remove.composed(with: r)
        let newAdd = Self.isIdentity(add) ? a : try add.composed(with: a)
        remove = newRemove   // assign only after both succeeded: a throw leaves the accountant unchanged
        add = newAdd
    }

    private static func isIdentity(_ p: PLDPmf) -> Bool {
        p.probs.count == 1 && p.lowerLoss == 0 && p.probs[0] == 1 && p.infinityMass == 0
    }

    /// ε of everything composed so far at δ (the worse of the add and remove directions).
    public func epsilon(delta: Double) throws -> Double {
        guard delta.isFinite, delta > 0, delta < 1 else { throw PrivacyAccountingError.invalidDelta(delta) }
        return max(remove.epsilon(delta: delta), add.epsilon(delta: delta))
    }

    /// δ of everything composed so far at ε.
    public func delta(epsilon: Double) throws -> Double {
        guard epsilon.isFinite, epsilon >= 0 else { throw PrivacyAccountingError.invalidEpsilon(epsilon) }
        return min(1, max(remove.delta(epsilon: epsilon), add.delta(epsilon: epsilon)))
    }

    /// ε of a single event at δ with a fresh accountant.
    public func epsilon(for event: DPEvent, delta: Double) throws -> Double {
        var acc = try PLDAccountant(discretization: discretization)
        try acc.compose(event)
        return try acc.epsilon(delta: delta)
    }
}
