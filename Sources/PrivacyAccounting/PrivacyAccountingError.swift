import Foundation

/// Errors thrown by the privacy accounting module. Messages name the offending public
/// parameter and the accepted range; they never contain data values (accounting sees none).
public enum PrivacyAccountingError: Error, Sendable, Equatable, LocalizedError, CustomStringConvertible {
    /// The sampling rate q must lie in (0, 1].
    case invalidSamplingRate(Double)
    /// The noise multiplier σ must be finite and > 0.
    case invalidNoiseMultiplier(Double)
    /// The Laplace scale b must be finite and > 0.
    case invalidLaplaceScale(Double)
    /// δ must lie in (0, 1).
    case invalidDelta(Double)
    /// ε must be finite and ≥ 0 (> 0 for calibration targets).
    case invalidEpsilon(Double)
    /// Step or composition counts must be ≥ 0 (≥ 1 where a run is described).
    case invalidSteps(Int)
    /// The number of examples must be ≥ 1.
    case invalidExamples(Int)
    /// The expected batch size must be ≥ 1 and ≤ the number of examples.
    case invalidBatchSize(batchSize: Int, examples: Int)
    /// Epochs must be finite and > 0.
    case invalidEpochs(Double)
    /// RDP orders must all be > 1 and finite, and at least one must be given.
    case invalidOrders(String)
    /// The PLD discretisation interval must be finite and > 0.
    case invalidDiscretization(Double)
    /// The accountant cannot account for this event (e.g. Poisson-sampled Laplace under RDP).
    case unsupportedEvent(String)
    /// The PLD grid would need more points than `limit` (tiny σ relative to the discretisation,
    /// or very many steps of a mechanism with large privacy loss).
    case pldGridTooLarge(points: Int, limit: Int)
    /// Calibration could not reach the target within the searched range.
    case targetUnreachable(String)
    /// A step count (epochs × steps per epoch, or a composition count) does not fit in an Int
    /// (more than 2⁶³ − 1 steps): the description says what overflowed.
    case stepCountOverflow(String)
    /// The distribution of the number of trials of a hyperparameter search is invalid (the text says which parameter).
    case invalidTrialDistribution(String)

    public var description: String {
        switch self {
        case .invalidSamplingRate(let q):
            return "sampling rate q = \(q) is invalid: it must lie in (0, 1] (q = batch size / examples)"
        case .invalidNoiseMultiplier(let s):
            return "noise multiplier σ = \(s) is invalid: it must be a finite number > 0"
        case .invalidLaplaceScale(let b):
            return "Laplace scale b = \(b) is invalid: it must be a finite number > 0"
        case .invalidDelta(let d):
            return "δ = \(d) is invalid: it must lie strictly between 0 and 1 (typically < 1/examples)"
        case .invalidEpsilon(let e):
            return "ε = \(e) is invalid: it must be a finite number > 0"
        case .invalidSteps(let n):
            return "step count \(n) is invalid: it must be ≥ 1"
        case .invalidExamples(let n):
            return "number of examples \(n) is invalid: it must be ≥ 1"
        case .invalidBatchSize(let b, let n):
            return "batch size \(b) is invalid for \(n) examples: it must satisfy 1 ≤ batch size ≤ examples"
        case .invalidEpochs(let e):
            return "epochs = \(e) is invalid: it must be a finite number > 0 and below 10¹²"
        case .invalidOrders(let why):
            return "invalid RDP orders: \(why)"
        case .invalidDiscretization(let d):
            return "PLD discretisation interval \(d) is invalid: it must be a finite number > 0 (default 1e-4)"
        case .unsupportedEvent(let why):
            return "unsupported DP event: \(why)"
        case .pldGridTooLarge(let n, let limit):
            return "the PLD accountant would need \(n) grid points (limit \(limit)) for this very small noise "
                + "multiplier or very long run: use the RDP accountant, or a PLDAccountant with a coarser discretisation"
        case .targetUnreachable(let why):
            return "calibration target unreachable: \(why)"
        case .invalidTrialDistribution(let why):
            return "invalid distribution of the number of trials: \(why)"
        case .stepCountOverflow(let what):
            return "the number of steps overflows (\(what)): reduce epochs or the number of steps"
        }
    }

    public var errorDescription: String? { description }
}
