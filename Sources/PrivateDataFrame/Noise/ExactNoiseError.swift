/// Why an exact discrete noise sampler refused its parameters or could not represent a draw.
public enum ExactNoiseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A parameter outside the range the integer arithmetic supports (the message says which, and what to change).
    case parameterOutOfRange(String)
    /// A draw whose exact evaluation would need more than 64-bit arithmetic. Happens only after more than 2³²
    /// consecutive successes of Bernoulli(e⁻¹), an event of probability below exp(−2³²); no value is released.
    case unrepresentableDraw

    public var description: String {
        switch self {
        case let .parameterOutOfRange(s): return "exact noise: \(s)"
        case .unrepresentableDraw: return "exact noise: a draw exceeded 64-bit arithmetic (probability below exp(−2³²)); nothing was released"
        }
    }
}
