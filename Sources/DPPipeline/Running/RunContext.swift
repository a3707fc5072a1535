import PrivateDataFrame
import PrivateLearning

/// Everything a stage sees while the pipeline runs, filled in stage by stage. Private values (frames,
/// encoded matrices, predictions) live here in memory only; nothing in this struct is printed.
/// Not `Sendable`: it holds the model being trained (a class) and is used by one run on one thread.
public struct RunContext {
    public var pipeline: Pipeline
    public var plan: PipelinePlan
    public var options: RunOptions
    public var log: RunLog
    /// Folder relative paths resolve against.
    public var directory: String { pipeline.spec.directory }

    /// The frame as loaded (for `release`).
    public var loadedFrame: PrivateDataFrame?
    /// The loaded frame, then the selection (`load`, `select`).
    public var frame: PrivateDataFrame?
    /// Training and test parts (`split`; without a split both are the whole selection).
    public var trainFrame: PrivateDataFrame?
    public var testFrame: PrivateDataFrame?
    /// A separate test set declared by the load (`idx.test_images`), selected like the data by `select`.
    public var declaredTestFrame: PrivateDataFrame?
    /// The trained model (`train`).
    public var model: Sequential?
    /// What a model source said about the model's origin (e.g. the imported Keras model), for exporters.
    public var modelOrigin: Any?
    /// How features were encoded for training (reused for prediction).
    public var encoding = EncodingOptions()
    /// The vocabulary of each text feature column (`vocabulary` stages), used to encode it for training and prediction.
    public var vocabularies: [String: TokenVocabulary] = [:]
    /// A one-output two-class model predicts class 1 when its output is at least this (`predict: {threshold: t}`).
    public var decisionThreshold = 0.5
    /// Model outputs on the test part and the test labels as class indices or values (`predict`).
    var predictions: Tensor?
    var testLabels: Tensor?
    /// Names given to the prediction columns.
    public var predictionColumns: [String] = []

    /// Released (or exact) metrics and releases by name.
    public var metrics: [String: RunReport.Metric] = [:]
    /// Training summary for the report.
    public var training: RunReport.Training?
    /// Files written to the output folder (relative names).
    public var outputs: [String] = []
    /// Why the run is not private (seeded, exact evaluation, …); empty for a private run.
    public var notPrivateReasons: [String] = []
    /// Artifacts of stages other than the built-ins, by key (read and written through `self[key]`).
    var artifacts: [PipelineArtifact: Any] = [:]
    /// Results stages add to the report (e.g. the `audit` stage's empirical ε), see `RunReport.StageResult`.
    public var stageResults: [RunReport.StageResult] = []
    /// Index of the running stage in `pipeline.spec.stages` (and `plan.stages`).
    public var stageIndex = 0
    /// Public number of training records the run is accounted for: the plan's, or after a DP count of the rows
    /// (add_remove without `public_size`) the split fraction applied to the released count. Never the realised N
    /// under add_remove.
    public var publicTrainingRecords: Int?
    /// How the public number of records was obtained, for the report (see `RecordCountSource.describe`).
    public var recordCountDescription: String?

    public init(pipeline: Pipeline, plan: PipelinePlan, options: RunOptions, log: RunLog) {
        self.pipeline = pipeline
        self.plan = plan
        self.options = options
        self.log = log
    }

    /// Drops the private data no later stage needs, so that its memory is freed as soon as possible (frames share
    /// their columns' storage, which goes when the last frame holding it goes).
    /// - Parameter needed: the union of the later stages' declared `inputs`.
    ///
    /// What each artifact keeps: `.data` the loaded frame (`release` reads it; `select` reads it from `frame`);
    /// `.selection` the selection (`split` reads it, with the loaded frame as the key its rows are hashed by) and the
    /// training part (`train`; without a split the selection itself); `.split` both parts; `.predictions` the
    /// predictions, the test labels and the test part they score (`evaluate`).
    mutating func dropData(notIn needed: Set<PipelineArtifact>) {
        let data = needed.contains(.data), selection = needed.contains(.selection), split = needed.contains(.split)
        let scored = needed.contains(.predictions)
        if !data && !selection {
            loadedFrame = nil
            frame = nil
        }
        if !selection && !split { trainFrame = nil }
        if !selection && !split && !scored { testFrame = nil }
        if !scored {
            predictions = nil
            testLabels = nil
        }
        artifacts = artifacts.filter { needed.contains($0.key) }
    }

    /// The planned cost of the running stage.
    public var plannedCost: StageCost { plan.stages[stageIndex].cost }

    /// Noise for a PrivateDataFrame release: the system CSPRNG, or for `--seed` runs a seeded generator
    /// (reported NOT PRIVATE). `offset` keeps the releases of one seeded run independent of each other.
    func releaseNoise(offset: UInt64) -> ReleaseNoise {
        if let seed = options.seed { return .seeded(seed &+ offset) }
        return .secure
    }

    /// Budget for the running stage's DP releases: exactly the (ε, δ) the plan charged it, drawn from the
    /// run's single up-front ledger reservation (so the releases do not reserve a second time).
    func plannedReleaseBudget() throws -> ReleaseBudget {
        .preReserved(try ReservedAllotment(epsilon: plannedCost.epsilon, delta: plannedCost.delta))
    }

    /// ε of each of `parts` releases sharing a stage's `total`: total/parts, or, when the ledger's rounding rule
    /// (`BudgetAmount`: charges round up, allotments down) would make `parts` charges of total/parts exceed the
    /// allotment of `total`, that share lowered by at most 2·10⁻¹² — never more than planned.
    static func releaseEpsilon(_ total: Double, parts: Int) -> Double {
        share(total, parts: parts, granted: BudgetAmount.epsilonUnitsGranted, charged: BudgetAmount.epsilonUnitsCharged,
              amount: BudgetAmount.epsilon)
    }

    /// δ of each of `parts` releases sharing a stage's `total`, by the same rule in the ledger's δ units (10⁻¹⁸);
    /// 0 when that leaves no unit per part (validation refuses such a δ).
    static func releaseDelta(_ total: Double, parts: Int) -> Double {
        share(total, parts: parts, granted: BudgetAmount.deltaUnitsGranted, charged: BudgetAmount.deltaUnitsCharged,
              amount: BudgetAmount.delta)
    }

    /// total/parts when `parts` charges of it fit the allotment of `total` in the ledger's fixed point; otherwise
    /// the allotment's units divided by `parts`, less one unit.
    private static func share(_ total: Double, parts: Int, granted: (Double) -> Int64, charged: (Double) -> Int64,
                              amount: (Int64) -> Double) -> Double {
        let n = max(parts, 1), share = total / Double(n)
        let allotment = granted(total)
        let (sum, overflow) = Int64(n).multipliedReportingOverflow(by: charged(share))
        if !overflow, sum <= allotment { return share }
        return amount(max(0, allotment / Int64(n) - 1))
    }

    /// The generator for sampling, noise and releases: the system CSPRNG (an AES-256 keystream keyed from getrandom),
    /// or a seeded one for `--seed` runs (then reported NOT PRIVATE).
    func noiseSource(offset: UInt64) -> any NoiseSource {
        if let seed = options.seed { return SeededRandomSource(seed: seed &+ offset) }
        return SecureRandomSource()
    }
}
