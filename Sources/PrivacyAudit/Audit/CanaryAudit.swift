import Foundation
import PrivacyAccounting
import PrivateLearning

/// A multi-run canary audit (Jagielski et al. 2020): the statistically rigorous counterpart of
/// `MembershipAudit`.
///
/// One designated example, the *canary* (ideally a worst case: an outlier or a mislabelled
/// point), is added to the training set independently with probability `inclusionProbability`
/// in each of `trials` independent training runs. After each run the canary's loss is recorded.
/// The loss-threshold attack then separates "runs with the canary" from "runs without", and
/// because the runs are independent trials of the same mechanism on two neighbouring data sets,
/// the Clopper–Pearson bound (simultaneous over thresholds) is a valid lower bound on the ε of
/// that pair with probability ≥ `confidence`.
///
/// Cost: `trials` trainings. The bound is capped near `log((trials/2) / ln(trials/α))` even for a
/// perfect attack, so a few dozen trials can only refute small claimed ε.
public struct CanaryAudit: Sendable {
    /// Training and bound parameters (`memberFraction` is not used; see `inclusionProbability`).
    public var configuration: MembershipAuditConfiguration
    /// Independent training runs (≥ 2).
    public var trials: Int
    /// Probability that the canary is in a run's training set, in (0, 1).
    public var inclusionProbability: Double
    /// Per-example loss for training and for scoring the canary.
    public let loss: any Loss
    /// A fresh optimizer per run.
    public let makeOptimizer: @Sendable () -> any Optimizer
    /// A fresh, untrained model; receives the run's seed (nil = unseeded).
    public let makeModel: @Sendable (UInt64?) throws -> Sequential
    /// Norm samplers by layer type for the audited trainings (e.g. the standard plugins'); empty:
    /// the generic fallback (correct, slower).
    public var registry = PluginRegistry()

    public init(configuration: MembershipAuditConfiguration, trials: Int, inclusionProbability: Double = 0.5,
                loss: any Loss, makeOptimizer: @escaping @Sendable () -> any Optimizer,
                makeModel: @escaping @Sendable (UInt64?) throws -> Sequential) {
        self.configuration = configuration
        self.trials = trials
        self.inclusionProbability = inclusionProbability
        self.loss = loss
        self.makeOptimizer = makeOptimizer
        self.makeModel = makeModel
    }

    /// Runs the trials and reports.
    /// - Parameters:
    ///   - features, labels: the base training set (present in every run).
    ///   - canaryFeatures, canaryLabels: one row each.
    /// - Throws: `PrivacyAuditError.invalidParameter`; training and accounting errors.
    public func run(features: Tensor, labels: Tensor, canaryFeatures: Tensor, canaryLabels: Tensor) throws -> CanaryAuditReport {
        let c = configuration
        guard trials >= 2 else { throw PrivacyAuditError.invalidParameter("a canary audit needs ≥ 2 trials, got \(trials)") }
        guard inclusionProbability > 0, inclusionProbability < 1 else {
            throw PrivacyAuditError.invalidParameter("inclusion probability must be in (0, 1), got \(inclusionProbability)")
        }
        guard canaryFeatures.rows == 1, canaryLabels.rows == 1,
              canaryFeatures.columns == features.columns, canaryLabels.columns == labels.columns else {
            throw PrivacyAuditError.invalidParameter("the canary must be one row shaped like the training rows")
        }
        guard features.rows == labels.rows, features.rows >= 1 else {
            throw PrivacyAuditError.invalidParameter("features have \(features.rows) rows but labels have \(labels.rows)")
        }
        guard c.epochs > 0, c.batchSize > 0, c.delta > 0 else {
            throw PrivacyAuditError.invalidParameter("epochs, batch size and delta must be > 0")
        }
        try EmpiricalEpsilon.validate(delta: c.delta, confidence: c.confidence)

        let withCanaryX = Tensor(shape: [features.rows + 1] + Array(features.shape.dropFirst()),
                                 values: features.storage + canaryFeatures.storage)
        let withCanaryY = Tensor(shape: [labels.rows + 1] + Array(labels.shape.dropFirst()),
                                 values: labels.storage + canaryLabels.storage)
        var coins: any NoiseSource = c.seed.map { SeededRandomSource(seed: $0 ^ 0xC0A1_CA4A_21E5_0001) as any NoiseSource }
            ?? SecureRandomSource()
        var included = [Double](), excluded = [Double]()
        var steps = 0
        for t in 0..<trials {
            let include = Double(coins.next() >> 11) / 9_007_199_254_740_992.0 < inclusionProbability
            let runSeed = c.seed.map { $0 &+ UInt64(t) &* 0x9E37_79B9_7F4A_7C15 }
            let model = try makeModel(runSeed)
            let noise: any NoiseSource = runSeed.map { SeededRandomSource(seed: $0) as any NoiseSource } ?? SecureRandomSource()
            let trainer = try PrivateModel(model: model, l2NormClip: c.l2NormClip, noiseMultiplier: c.noiseMultiplier, noise: noise,
                                           registry: registry)
            trainer.prefetchesNoise = false
            trainer.threadCount = 1
            trainer.compile(optimizer: makeOptimizer(), loss: loss)
            let loader = try PoissonLoader(features: include ? withCanaryX : features,
                                           labels: include ? withCanaryY : labels, batchSize: c.batchSize)
            let history = try trainer.fit(loader, epochs: c.epochs, targetDelta: c.delta, accountant: c.accountant)
            steps = max(steps, history.steps)
            let l = Double(loss.perExampleLoss(predictions: trainer.predict(canaryFeatures), targets: canaryLabels)[0])
            let clamped = l.isFinite ? l : (l < 0 ? -Double(Float.greatestFiniteMagnitude) : Double(Float.greatestFiniteMagnitude))
            if include { included.append(clamped) } else { excluded.append(clamped) }
        }
        guard !included.isEmpty, !excluded.isEmpty else {
            throw PrivacyAuditError.invalidParameter(
                "all \(trials) trials drew the same inclusion; use more trials or an inclusion probability nearer 0.5")
        }
        let attack = try LossThresholdAttack.run(memberLosses: included, nonMemberLosses: excluded)
        let bound = try EmpiricalEpsilon.lowerBound(roc: attack.roc, delta: c.delta, confidence: c.confidence)
        // Poisson rate q = B/N depends on N; report the larger ε of the runs with and without canary.
        var accountantEpsilon = Double.infinity
        if c.noiseMultiplier > 0 {
            accountantEpsilon = 0
            for n in [features.rows, features.rows + 1] {
                let loader = try PoissonLoader(features: n == features.rows ? features : withCanaryX,
                                               labels: n == features.rows ? labels : withCanaryY, batchSize: c.batchSize)
                let e = try PrivacyAccounting.epsilon(samplingRate: loader.samplingRate, noiseMultiplier: c.noiseMultiplier,
                                                      steps: loader.stepsPerEpoch * c.epochs, delta: c.delta,
                                                      accountant: c.accountant)
                accountantEpsilon = max(accountantEpsilon, e)
            }
        }
        return CanaryAuditReport(attack: attack, empiricalEpsilon: bound, accountantEpsilon: accountantEpsilon,
                                 accountant: c.accountant, delta: c.delta, noiseMultiplier: c.noiseMultiplier,
                                 trials: trials, runsWithCanary: included.count, steps: steps)
    }
}

/// Result of a `CanaryAudit` (aggregates only).
public struct CanaryAuditReport: Sendable, Equatable {
    /// Attack separating runs with the canary (members) from runs without it.
    public var attack: MembershipAttackResult
    /// Rigorous lower bound on ε (independent runs), at `delta` and the configured confidence.
    public var empiricalEpsilon: EmpiricalEpsilon
    /// The accountant's ε for the runs (the larger of with / without the canary; ∞ when σ = 0).
    public var accountantEpsilon: Double
    /// Accountant of `accountantEpsilon`.
    public var accountant: AccountantKind
    /// δ of both ε values.
    public var delta: Double
    /// σ of every run.
    public var noiseMultiplier: Double
    /// Training runs in total, and those whose training set held the canary.
    public var trials: Int
    public var runsWithCanary: Int
    /// DP-SGD steps of the longest run.
    public var steps: Int

    /// True when the empirical bound does not exceed the accountant's ε.
    public var isConsistent: Bool { empiricalEpsilon.epsilon <= accountantEpsilon }

    /// A human-readable summary (aggregates only).
    public var summary: String {
        func f(_ x: Double) -> String { x.isFinite ? String(format: "%.4f", x) : "∞" }
        return """
        canary audit: \(trials) runs (\(runsWithCanary) with the canary), σ = \(f(noiseMultiplier)), \(steps) steps per run
          canary-loss attack: AUC \(f(attack.auc)), advantage \(f(attack.advantage))
          empirical ε ≥ \(f(empiricalEpsilon.epsilon)) (δ = \(delta), confidence \(empiricalEpsilon.confidence))
          accountant (\(accountant.rawValue)) ε = \(f(accountantEpsilon)); consistent: \(isConsistent ? "yes" : "NO")
        """
    }
}
