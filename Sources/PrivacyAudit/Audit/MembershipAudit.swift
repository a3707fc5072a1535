import Foundation
import PrivacyAccounting
import PrivateLearning

/// Trains a model with DP-SGD on a random half of the data and attacks it.
///
/// Every example is made a member (trained on) by an independent coin flip with probability
/// `memberFraction`, else a non-member (held out). After training, every example's loss is computed and the loss-threshold attack tries
/// to tell the two groups apart. The report puts the attack's AUC, advantage and empirical ε
/// lower bound next to the accountant's ε for the same run: an empirical bound above the
/// accountant's ε is evidence of a bug (missing clipping or noise, wrong accounting).
///
/// This is a *one-training-run* audit: it is cheap, and it detects gross leaks and
/// non-private training, but its bounds are far below the true ε of a correct DP-SGD (see
/// docs/audit.md). At `memberFraction == 0.5` the report also carries the rigorous one-run
/// bound of Steinke, Nasr & Jagielski 2023 (`OneRunEpsilon`). Run it on public or synthetic data: the audit's own outputs are not DP.
public struct MembershipAudit: Sendable {
    /// Training, split and bound parameters.
    public var configuration: MembershipAuditConfiguration
    /// Per-example loss used both for training and as the attack's score.
    public let loss: any Loss
    /// A fresh optimizer for the run.
    public let makeOptimizer: @Sendable () -> any Optimizer
    /// A fresh, untrained model for the run; receives the audit's seed (nil = unseeded).
    public let makeModel: @Sendable (UInt64?) throws -> Sequential
    /// Norm samplers by layer type for the audited trainings (e.g. the standard plugins'); empty:
    /// the generic fallback (correct, slower).
    public var registry = PluginRegistry()

    public init(configuration: MembershipAuditConfiguration, loss: any Loss,
                makeOptimizer: @escaping @Sendable () -> any Optimizer,
                makeModel: @escaping @Sendable (UInt64?) throws -> Sequential) {
        self.configuration = configuration
        self.loss = loss
        self.makeOptimizer = makeOptimizer
        self.makeModel = makeModel
    }

    /// Splits, trains, attacks and reports.
    /// - Parameters:
    ///   - features: `[N, …]`, already scaled with public bounds.
    ///   - labels: `[N, …]`, in the form `loss` expects.
    /// - Throws: `PrivacyAuditError.invalidParameter` for a bad configuration or too few
    ///   examples; training errors of `PrivateModel`; accounting errors.
    public func run(features: Tensor, labels: Tensor) throws -> MembershipAuditReport {
        let c = configuration
        let n = features.rows
        guard labels.rows == n else {
            throw PrivacyAuditError.invalidParameter("features have \(n) rows but labels have \(labels.rows)")
        }
        guard c.memberFraction > 0, c.memberFraction < 1 else {
            throw PrivacyAuditError.invalidParameter("member fraction must be in (0, 1), got \(c.memberFraction)")
        }
        guard c.epochs > 0, c.batchSize > 0 else {
            throw PrivacyAuditError.invalidParameter("epochs and batch size must be > 0")
        }
        try EmpiricalEpsilon.validate(delta: c.delta, confidence: c.confidence)
        guard c.delta > 0 else { throw PrivacyAuditError.invalidParameter("delta must be > 0 for the accountant") }
        // Membership by independent coin flips with probability `memberFraction` (what the one-run
        // bound of Steinke et al. requires at ½); its own stream, independent of training randomness.
        var coins: any NoiseSource = c.seed.map { SeededRandomSource(seed: $0 ^ 0x5EED_5B11_7A0D_17AA) as any NoiseSource }
            ?? SecureRandomSource()
        var memberIndices = [Int](), nonMemberIndices = [Int]()
        for i in 0..<n {
            if Double(coins.next() >> 11) / 9_007_199_254_740_992.0 < c.memberFraction {
                memberIndices.append(i)
            } else {
                nonMemberIndices.append(i)
            }
        }
        guard !memberIndices.isEmpty, !nonMemberIndices.isEmpty else {
            throw PrivacyAuditError.invalidParameter(
                "\(n) examples at member fraction \(c.memberFraction) drew an empty group; use more examples")
        }

        let model = try makeModel(c.seed)
        let noise: any NoiseSource = c.seed.map { SeededRandomSource(seed: $0) as any NoiseSource } ?? SecureRandomSource()
        let trainer = try PrivateModel(model: model, l2NormClip: c.l2NormClip, noiseMultiplier: c.noiseMultiplier, noise: noise,
                                           registry: registry)
        trainer.prefetchesNoise = false   // audit models are small; keep runs single-threaded and reproducible
        trainer.threadCount = 1
        trainer.compile(optimizer: makeOptimizer(), loss: loss)
        let memberX = features.gatheringRows(memberIndices), memberY = labels.gatheringRows(memberIndices)
        let loader = try PoissonLoader(features: memberX, labels: memberY, batchSize: c.batchSize)
        let history = try trainer.fit(loader, epochs: c.epochs, targetDelta: c.delta, accountant: c.accountant)

        let memberLosses = perExampleLosses(trainer, memberX, memberY)
        let nonMemberLosses = perExampleLosses(trainer, features.gatheringRows(nonMemberIndices),
                                               labels.gatheringRows(nonMemberIndices))
        let attack = try LossThresholdAttack.run(memberLosses: memberLosses, nonMemberLosses: nonMemberLosses)
        let bound = try EmpiricalEpsilon.lowerBound(roc: attack.roc, delta: c.delta, confidence: c.confidence)
        let oneRun = c.memberFraction == 0.5
            ? try OneRunEpsilon.lowerBound(memberScores: memberLosses.map { -$0 }, nonMemberScores: nonMemberLosses.map { -$0 },
                                           delta: c.delta, confidence: c.confidence)
            : nil
        let accountantEpsilon = c.noiseMultiplier == 0 ? Double.infinity
            : try PrivacyAccounting.epsilon(samplingRate: loader.samplingRate, noiseMultiplier: c.noiseMultiplier,
                                            steps: history.steps, delta: c.delta, accountant: c.accountant)
        return MembershipAuditReport(
            attack: attack, empiricalEpsilon: bound, oneRunEpsilon: oneRun, accountantEpsilon: accountantEpsilon,
            accountant: c.accountant, delta: c.delta, noiseMultiplier: c.noiseMultiplier, l2NormClip: c.l2NormClip,
            steps: history.steps, samplingRate: loader.samplingRate,
            members: memberLosses.count, nonMembers: nonMemberLosses.count,
            meanMemberLoss: mean(memberLosses), meanNonMemberLoss: mean(nonMemberLosses),
            trainingWasPrivate: history.isPrivate)
    }

    /// Per-example losses, non-finite values (NaN, ±∞) clamped to ±Float.greatestFiniteMagnitude so that a
    /// diverged example counts as "very non-member-like" instead of aborting the audit.
    func perExampleLosses(_ trainer: PrivateModel, _ x: Tensor, _ y: Tensor) -> [Double] {
        loss.perExampleLoss(predictions: trainer.predict(x), targets: y).map {
            $0.isFinite ? Double($0) : ($0 < 0 ? -Float.greatestFiniteMagnitude.asDouble : Float.greatestFiniteMagnitude.asDouble)
        }
    }

    func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }
}

extension Float {
    fileprivate var asDouble: Double { Double(self) }
}
