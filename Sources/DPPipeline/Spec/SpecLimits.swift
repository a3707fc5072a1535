/// The documented limits on numbers in pipeline files (docs/pipelines.md, "Limits"). Each is checked when the
/// file is decoded, so a value outside them is a validation error with its `file:line:column`, never a trap,
/// an infinite noise scale or a run that fails after its budget was reserved.
///
/// The limits are far beyond any useful setting; they exist so that every later computation (step counts,
/// sensitivities, noise scales, the ledger's fixed-point amounts) stays finite and exact.
public enum SpecLimits {
    /// ε of `privacy.budget`: at most 10⁶ (the ledger stores ε in units of 10⁻¹² in 64 bits), at least 10⁻⁶.
    public static let budgetEpsilon: ClosedRange<Double> = 1e-6...1e6
    /// δ of `privacy.budget`: 0 (pure ε) or up to 0.1.
    public static let budgetDelta: ClosedRange<Double> = 0...0.1
    /// `privacy.delta`, the training δ: a δ above 0.1 protects nobody; below 10⁻¹⁵ it is below the ledger's
    /// resolution for a useful sum of charges.
    public static let trainingDelta: ClosedRange<Double> = 1e-15...0.1
    /// ε of one DP release (`release.epsilon`, `evaluate.epsilon`): beyond 100 a release is not private in any
    /// useful sense; below 10⁻⁶ its noise scale is meaningless (and grows without bound).
    public static let stageEpsilon: ClosedRange<Double> = 1e-6...100
    /// δ of `evaluate`: 0 (pure ε) or in [10⁻¹⁵, 0.1].
    public static let stageDelta: ClosedRange<Double> = 1e-15...0.1
    /// `train.target_epsilon`.
    public static let targetEpsilon: ClosedRange<Double> = 0.01...100
    /// `train.noise_multiplier` σ: above 10⁶ the update is pure noise; below 0.01 the run's ε is astronomical.
    public static let noiseMultiplier: ClosedRange<Double> = 0.01...1e6
    /// `train.l2_norm_clip` C.
    public static let l2NormClip: ClosedRange<Double> = 1e-6...1e6
    /// `train.batch_size` B.
    public static let batchSize: ClosedRange<Int> = 1...1_000_000_000
    /// `train.epochs`: with B ≥ 1 and N ≤ 2⁶³ records, epochs · ceil(N/B) steps are bounded by the accountant's
    /// own limits, never by integer overflow.
    public static let epochs: ClosedRange<Int> = 1...1_000_000
    /// `units` of a layer (width of a dense layer).
    public static let units: ClosedRange<Int> = 1...1_000_000
    /// `learning_rate` / `lr` of an optimizer.
    public static let learningRate: ClosedRange<Double> = 1e-12...1000
    /// `split.test_fraction`: a test part of under 1 % (or a training part of under 1 %) is empty or tiny.
    public static let testFraction: ClosedRange<Double> = 0.01...0.99
    /// Magnitude of declared column bounds (`min`, `max`) and of any other number given to a plugin: keeps
    /// widths, squared errors and sensitivities finite in Float and Double.
    public static let maxMagnitude = 1e15

    /// "between a and b" for messages.
    static func describe(_ range: ClosedRange<Double>) -> String {
        "between \(SpecMappingReader.format(range.lowerBound)) and \(SpecMappingReader.format(range.upperBound))"
    }

    /// A check and its description for `SpecMappingReader.double` / `.number`.
    static func within(_ range: ClosedRange<Double>) -> (String, (Double) -> Bool) {
        (describe(range), { range.contains($0) })
    }

    /// 0, or a value in `range` (for δ).
    static func zeroOr(_ range: ClosedRange<Double>) -> (String, (Double) -> Bool) {
        ("0 or " + describe(range), { $0 == 0 || range.contains($0) })
    }
}

extension SpecMappingReader {
    /// A number within a documented limit.
    mutating func double(_ key: String, required isRequired: Bool = false, _ limit: (String, (Double) -> Bool),
                         diagnostics: inout DiagnosticCollector) -> Double? {
        double(key, required: isRequired, limit.0, limit.1, diagnostics: &diagnostics)
    }

    static func number(_ v: SpecValue, _ limit: (String, (Double) -> Bool), diagnostics: inout DiagnosticCollector) -> Double? {
        number(v, limit.0, limit.1, diagnostics: &diagnostics)
    }
}
