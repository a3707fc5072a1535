import Foundation
import PrivacyAccounting

/// `tune:` inside a `train` stage — a private hyperparameter search (Papernot & Steinke, ICLR 2022).
///
/// ```yaml
/// tune:
///   trials: {distribution: geometric, mean: 8}      # K, the random number of trials (or poisson, logarithmic,
///                                                   # truncated_negative_binomial with shape: η; gamma: instead of mean)
///   validation_fraction: 0.2                         # carved from the training part by a content hash
///   score_noise: 10                                  # σ of the discrete Gaussian on the validation correct count
///   learning_rate: {log_range: [0.003, 0.1]}         # or a list
///   l2_norm_clip: [0.5, 1, 2]
///   batch_size: [32, 64]
///   epochs: [20, 40]
///   optimizer: [adam, sgd]
/// ```
///
/// Each trial draws its hyperparameters at random (public randomness), trains a full DP-SGD run on the fitting
/// part, and scores it by the number of correct validation predictions plus exact discrete Gaussian noise.
/// K is drawn from `trials` with the secure generator; only the best trial's model and hyperparameters are
/// released. The whole search is accounted by `RepeatAndSelectRDP` and reserved before it starts.
public struct TuneSpec: Sendable {
    /// A searched axis: a list of values, or a log-uniform range.
    public enum Axis: Sendable, Equatable {
        case values([Double])
        case logRange(Double, Double)

        func draw<G: RandomNumberGenerator>(using g: inout G) -> Double {
            switch self {
            case .values(let v):
                return v[Int.random(in: 0..<v.count, using: &g)]
            case .logRange(let lo, let hi):
                let u = Double(g.next() >> 11) * 0x1p-53
                return Foundation.exp(Foundation.log(lo) + u * (Foundation.log(hi) - Foundation.log(lo)))
            }
        }

        var summary: String {
            switch self {
            case .values(let v): "[" + v.map { TrainStage.fmt($0) }.joined(separator: ", ") + "]"
            case .logRange(let lo, let hi): "log-uniform [\(TrainStage.fmt(lo)), \(TrainStage.fmt(hi))]"
            }
        }
    }

    public var position: SourcePosition
    public var trials: TrialCountDistribution
    public var validationFraction: Double
    /// σ of the discrete Gaussian added to the validation correct count (count units; sensitivity 1).
    public var scoreNoise: Int
    /// Seed of the content hash carving the validation part (public).
    public var validationSeed: Int
    public var learningRate: Axis?
    public var l2NormClip: Axis?
    public var batchSize: [Int]?
    public var epochs: [Int]?
    public var optimizer: [String]?

    /// One trial's hyperparameters.
    public struct Trial: Sendable, Equatable, Codable {
        public var learningRate: Double?
        public var l2NormClip: Double
        public var batchSize: Int
        public var epochs: Int
        public var optimizer: String

        enum CodingKeys: String, CodingKey {
            case learningRate = "learning_rate"
            case l2NormClip = "l2_norm_clip"
            case batchSize = "batch_size"
            case epochs, optimizer
        }
    }

    /// Draws one trial's hyperparameters; axes not searched keep the train stage's values.
    func draw<G: RandomNumberGenerator>(base: TrainStage, using g: inout G) -> Trial {
        Trial(learningRate: learningRate?.draw(using: &g),
              l2NormClip: l2NormClip?.draw(using: &g) ?? base.l2NormClip,
              batchSize: batchSize.map { $0[Int.random(in: 0..<$0.count, using: &g)] } ?? base.batchSize,
              epochs: epochs.map { $0[Int.random(in: 0..<$0.count, using: &g)] } ?? base.epochs,
              optimizer: optimizer.map { $0[Int.random(in: 0..<$0.count, using: &g)] } ?? base.optimizer.name)
    }

    /// The (batch size, epochs) pairs a trial can take: the only hyperparameters the privacy cost depends on.
    func shapes(base: TrainStage) -> [(batchSize: Int, epochs: Int)] {
        var out: [(Int, Int)] = []
        for b in batchSize ?? [base.batchSize] { for e in epochs ?? [base.epochs] { out.append((b, e)) } }
        return out
    }

    /// The search space in one line.
    var spaceSummary: String {
        var parts: [String] = []
        if let learningRate { parts.append("learning_rate \(learningRate.summary)") }
        if let l2NormClip { parts.append("l2_norm_clip \(l2NormClip.summary)") }
        if let batchSize { parts.append("batch_size \(batchSize)") }
        if let epochs { parts.append("epochs \(epochs)") }
        if let optimizer { parts.append("optimizer [\(optimizer.joined(separator: ", "))]") }
        return parts.joined(separator: "; ")
    }

    public static let keys = ["trials", "validation_fraction", "score_noise", "validation_seed", "learning_rate",
                              "l2_norm_clip", "batch_size", "epochs", "optimizer"]

    static func decode(_ value: SpecValue, diagnostics: inout DiagnosticCollector) -> TuneSpec? {
        guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
        let before = diagnostics.diagnostics.count
        var trials: TrialCountDistribution?
        if let t = r.required("trials", diagnostics: &diagnostics) {
            trials = decodeTrials(t, diagnostics: &diagnostics)
        }
        let fraction = r.double("validation_fraction", "in [0.05, 0.5]", { $0 >= 0.05 && $0 <= 0.5 }, diagnostics: &diagnostics) ?? 0.2
        let noise = r.int("score_noise", in: 1...30_000, diagnostics: &diagnostics) ?? 10
        let seed = r.int("validation_seed", in: 0...Int.max, diagnostics: &diagnostics) ?? 1
        let lr = r.optional("learning_rate").flatMap { decodeAxis($0, limits: SpecLimits.learningRate, diagnostics: &diagnostics) }
        let clip = r.optional("l2_norm_clip").flatMap { decodeAxis($0, limits: SpecLimits.l2NormClip, diagnostics: &diagnostics) }
        let batch = r.optional("batch_size").flatMap { decodeInts($0, limits: SpecLimits.batchSize, diagnostics: &diagnostics) }
        let epochs = r.optional("epochs").flatMap { decodeInts($0, limits: SpecLimits.epochs, diagnostics: &diagnostics) }
        let optimizers = r.optional("optimizer").flatMap { v -> [String]? in
            guard let s = SpecMappingReader.strings(v, diagnostics: &diagnostics), !s.isEmpty, s.count <= 100 else {
                diagnostics.error(v.position, "'\(v.path)' must list 1 to 100 optimizer names")
                return nil
            }
            return s
        }
        r.finish(diagnostics: &diagnostics)
        guard diagnostics.diagnostics.count == before, let trials else { return nil }
        return TuneSpec(position: value.position, trials: trials, validationFraction: fraction, scoreNoise: noise,
                        validationSeed: seed, learningRate: lr, l2NormClip: clip, batchSize: batch, epochs: epochs,
                        optimizer: optimizers)
    }

    static func decodeTrials(_ value: SpecValue, diagnostics: inout DiagnosticCollector) -> TrialCountDistribution? {
        guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
        let kinds = ["geometric", "logarithmic", "truncated_negative_binomial", "poisson"]
        let kind = r.choice("distribution", kinds, required: true, diagnostics: &diagnostics)
        let mean = r.double("mean", "in (1, 1000]", { $0 > 1 && $0 <= 1000 }, diagnostics: &diagnostics)
        let gamma = r.double("gamma", "in [1e-4, 1)", { $0 >= 1e-4 && $0 < 1 }, diagnostics: &diagnostics)
        let shape = r.double("shape", "in [0, 1000]", { $0 >= 0 && $0 <= 1000 }, diagnostics: &diagnostics)
        r.finish(diagnostics: &diagnostics)
        guard let kind else { return nil }
        if (mean == nil) == (gamma == nil) || (kind == "poisson" && gamma != nil) {
            diagnostics.error(value.position, "'\(value.path)' needs exactly one of 'mean' or 'gamma' ('mean' for poisson)")
            return nil
        }
        if shape != nil && kind != "truncated_negative_binomial" {
            diagnostics.error(value.position, "'\(value.path).shape' applies to truncated_negative_binomial only")
            return nil
        }
        let eta: Double
        switch kind {
        case "poisson":
            guard let mean else { return nil }
            return .poisson(mean: mean)
        case "geometric": eta = 1
        case "logarithmic": eta = 0
        default:
            guard let shape else {
                diagnostics.error(value.position, "'\(value.path)' needs 'shape' (η ≥ 0) for truncated_negative_binomial")
                return nil
            }
            eta = shape
        }
        do {
            if let gamma { let d = TrialCountDistribution.truncatedNegativeBinomial(shape: eta, gamma: gamma); try d.validate(); return d }
            return try TrialCountDistribution.truncatedNegativeBinomial(shape: eta, mean: mean ?? 2)
        } catch {
            diagnostics.error(value.position, "'\(value.path)': \(error)")
            return nil
        }
    }

    static func decodeAxis(_ value: SpecValue, limits: ClosedRange<Double>, diagnostics: inout DiagnosticCollector) -> Axis? {
        let (requirement, check) = SpecLimits.within(limits)
        if let entries = value.mappingEntries {
            guard entries.count == 1, entries[0].key == "log_range", let items = entries[0].value.sequenceItems, items.count == 2 else {
                diagnostics.error(value.position, "'\(value.path)' must be a list of numbers or {log_range: [low, high]}")
                return nil
            }
            let lo = SpecMappingReader.number(items[0], requirement, check, diagnostics: &diagnostics)
            let hi = SpecMappingReader.number(items[1], requirement, check, diagnostics: &diagnostics)
            guard let lo, let hi else { return nil }
            guard lo > 0, lo < hi else {
                diagnostics.error(value.position, "'\(value.path).log_range' needs 0 < low < high")
                return nil
            }
            return .logRange(lo, hi)
        }
        let items = value.sequenceItems ?? [value]
        guard !items.isEmpty, items.count <= 100 else {
            diagnostics.error(value.position, "'\(value.path)' must list 1 to 100 values")
            return nil
        }
        let values = items.compactMap { SpecMappingReader.number($0, requirement, check, diagnostics: &diagnostics) }
        return values.count == items.count ? .values(values) : nil
    }

    static func decodeInts(_ value: SpecValue, limits: ClosedRange<Int>, diagnostics: inout DiagnosticCollector) -> [Int]? {
        let items = value.sequenceItems ?? [value]
        guard !items.isEmpty, items.count <= 20 else {
            diagnostics.error(value.position, "'\(value.path)' must list 1 to 20 integers")
            return nil
        }
        var out: [Int] = []
        for item in items {
            guard let i = item.intValue, limits.contains(i) else {
                diagnostics.error(item.position, "'\(item.path)' must be \(SpecMappingReader.describe(limits))")
                return nil
            }
            out.append(i)
        }
        return out
    }
}
