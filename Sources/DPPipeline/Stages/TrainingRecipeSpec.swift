import PrivateLearning

/// The training recipes of a `train` stage (`recipe:`, `ema:`, `lr_schedule:`): each a function of the released
/// (noisy) parameters or of the step index only, so free of privacy cost.
///
/// - `recipe: dp_defaults` turns on EMA of the parameters (decay 0.999, warmed up as (1+t)/(10+t)) and a 5 %
///   linear warm-up followed by cosine decay of the learning rate to 0.1× (De et al. 2022; the choices that
///   helped most in our measurements). `recipe: none` (the default) trains the last iterate at a constant rate.
/// - `ema: 0.999` / `ema: off` and `lr_schedule: constant | cosine | step` set or override one part.
public struct TrainingRecipeSpec: Sendable, Equatable {
    /// EMA decay β (nil: no averaging; the last iterate is evaluated and exported).
    public var emaDecay: Double?
    /// `constant`, `cosine` (5 % warm-up then cosine to 0.1×) or `step` (×0.1 at 50 % and 75 %).
    public var schedule: String

    public init(emaDecay: Double? = nil, schedule: String = "constant") {
        self.emaDecay = emaDecay
        self.schedule = schedule
    }

    public static let recipes = ["none", "dp_defaults"]
    public static let schedules = ["constant", "cosine", "step"]

    /// True when any recipe is on.
    public var isActive: Bool { emaDecay != nil || schedule != "constant" }

    /// The schedule value for `PrivateModel.learningRateSchedule`.
    public var learningRateSchedule: (any LearningRateSchedule)? {
        switch schedule {
        case "cosine": WarmupCosineSchedule(warmupFraction: 0.05, finalFactor: 0.1)
        case "step": StepDecaySchedule(warmupFraction: 0, boundaries: [0.5, 0.75], factor: 0.1)
        default: nil
        }
    }

    /// One line for logs and the report.
    public var summary: String {
        var parts: [String] = []
        if let emaDecay { parts.append("EMA of the parameters (decay \(TrainStage.fmt(emaDecay)))") }
        if let s = learningRateSchedule { parts.append(s.summary) }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    /// Reads `recipe`, `ema` and `lr_schedule` from a train stage's mapping.
    static func decode(_ r: inout SpecMappingReader, diagnostics: inout DiagnosticCollector) -> TrainingRecipeSpec {
        var spec = TrainingRecipeSpec()
        if let name = r.choice("recipe", recipes, diagnostics: &diagnostics), name == "dp_defaults" {
            spec = TrainingRecipeSpec(emaDecay: 0.999, schedule: "cosine")
        }
        if let v = r.optional("ema") {
            if let s = v.stringValue, v.doubleValue == nil, s == "off" || s == "false" {
                spec.emaDecay = nil
            } else if let b = v.boolValue, v.doubleValue == nil {
                spec.emaDecay = b ? 0.999 : nil
            } else if let d = SpecMappingReader.number(v, "in [0.5, 0.99999] (or off)", { $0 >= 0.5 && $0 <= 0.99999 },
                                                       diagnostics: &diagnostics) {
                spec.emaDecay = d
            }
        }
        if let s = r.choice("lr_schedule", schedules, diagnostics: &diagnostics) { spec.schedule = s }
        return spec
    }
}
