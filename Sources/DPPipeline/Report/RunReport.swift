/// What a run writes to `report.json` (and renders into `report.html`). Contains only public facts and DP
/// releases (plus exact metrics when the pipeline asked for them, in which case `privacy.private` is false).
public struct RunReport: Codable, Sendable {
    public struct PipelineInfo: Codable, Sendable {
        public var name: String
        public var file: String
        public var description: String?
    }

    public struct Privacy: Codable, Sendable {
        /// Total ε spent by this run (sum over stages; the ledger's composition).
        public var epsilon: Double
        public var delta: Double
        /// False for seeded runs and for exact evaluation.
        public var `private`: Bool
        /// Why the run is not private, if it is not.
        public var notPrivateReasons: [String]
        public var accountant: String
        public var dataset: String
        public var composition: String
        /// Ledger state after the run (granted and spent), when known.
        public var ledgerGrantedEpsilon: Double?
        public var ledgerSpentEpsilon: Double?
        /// The neighbouring relation (`add_remove` or `replace_one`) and its one-line summary.
        public var neighbouring: String? = nil
        public var neighbouringSummary: String? = nil
        /// Where the public number of records came from (declared, a DP count with its ε, or the data under
        /// replace_one); under add_remove the realised number of rows never appears.
        public var records: String? = nil
        /// What one unit of privacy is ("user-level (unit: patient_id, at most k rows per unit)" or row-level).
        public var privacyUnit: String? = nil

        enum CodingKeys: String, CodingKey {
            case epsilon, delta, `private`, accountant, dataset, composition, neighbouring, records
            case privacyUnit = "privacy_unit"
            case neighbouringSummary = "neighbouring_summary"
            case notPrivateReasons = "not_private_reasons"
            case ledgerGrantedEpsilon = "ledger_granted_epsilon"
            case ledgerSpentEpsilon = "ledger_spent_epsilon"
        }
    }

    public struct Stage: Codable, Sendable {
        public var name: String
        public var epsilon: Double
        public var delta: Double
        public var detail: String
        /// Not written by `dpflow run` (issue 11: timings depend on the data; the operator sees them on stderr).
        public var seconds: Double? = nil
    }

    public struct Metric: Codable, Sendable {
        public var value: Double
        public var `private`: Bool
        /// Standard deviation of the noise in the released value (for ratios such as accuracy or a mean, the
        /// delta-method approximation PrivateDataFrame reports); 0 for exact values.
        public var noiseScale: Double
        public var mechanism: String
        public var epsilon: Double
        /// 95% confidence interval `[lower, upper]` from the noise distribution (nil for exact values).
        public var confidenceInterval: [Double]? = nil
        /// The public grid (a power of two) of a DP release: the released value is an integer multiple of it
        /// (ratios: post-processing of such values). Nil for exact values.
        public var granularity: Double? = nil

        enum CodingKeys: String, CodingKey {
            case value, `private`, mechanism, epsilon, granularity
            case noiseScale = "noise_scale"
            case confidenceInterval = "confidence_interval"
        }
    }

    public struct Epoch: Codable, Sendable {
        public var epoch: Int
        /// Training loss of the epoch: in private runs a DP estimate of the mean clipped loss
        /// (see `Training.loss`), NaN when not tracked, the exact mean only when σ = 0.
        public var loss: Double
        public var epsilon: Double
        /// Standard deviation of the DP noise in `loss` (0 when exact).
        public var lossNoiseStd: Double = 0

        enum CodingKeys: String, CodingKey {
            case epoch, loss, epsilon
            case lossNoiseStd = "loss_noise_std"
        }
    }

    /// What the per-epoch training loss is.
    public struct LossDescription: Codable, Sendable {
        /// `dp_estimate` (released with Gaussian noise as part of each DP step; no extra ε),
        /// `exact` (σ = 0 only) or `not_tracked`.
        public var kind: String
        /// Per-example losses are clipped to [0, clip] before the DP estimate.
        public var clip: Double?
        /// Noise multiplier of the gradient query; the declared σ is the accounting one of the
        /// joint gradient + loss release.
        public var gradientNoiseMultiplier: Double

        enum CodingKeys: String, CodingKey {
            case kind, clip
            case gradientNoiseMultiplier = "gradient_noise_multiplier"
        }
    }

    public struct Training: Codable, Sendable {
        public var noiseMultiplier: Double
        public var l2NormClip: Double
        public var batchSize: Int
        public var samplingRate: Double
        public var steps: Int
        /// The public N q = B/N was computed from (declared, DP-counted or, under replace_one, the data's).
        public var examples: Int
        /// The accountant the per-epoch ε were computed with (the pipeline's, `rdp` or `pld`).
        public var epsilonAccountant: String? = nil
        public var parameters: Int
        public var layers: [String]
        public var epochs: [Epoch]
        public var loss: LossDescription?
        /// The private hyperparameter search that chose this model (`tune:`), if any.
        public var search: SearchSummary? = nil

        enum CodingKeys: String, CodingKey {
            case steps, examples, parameters, layers, epochs, loss, search
            case epsilonAccountant = "epochs_epsilon_accountant"
            case noiseMultiplier = "noise_multiplier"
            case l2NormClip = "l2_norm_clip"
            case batchSize = "batch_size"
            case samplingRate = "sampling_rate"
        }
    }

    public var status: String
    public var pipeline: PipelineInfo
    public var versions: [String: String]
    public var privacy: Privacy
    public var stages: [Stage]
    public var metrics: [String: Metric]
    public var training: Training?
    /// Seconds per phase. Empty in reports `dpflow run` writes: timings depend (weakly) on the data, so they
    /// go to the operator's stderr only, never into the pipeline author's output folder.
    public var timings: [String: Double]
    /// Files written to the output folder.
    public var outputs: [String]
    public var startedAt: String
    public var finishedAt: String
    /// Third-party plugin libraries loaded for this run (path and SHA-256); nil when none was. Their code ran
    /// with dpflow's privileges, so the privacy guarantee of this report holds only if they are trustworthy.
    public var pluginLibraries: [LoadedPluginLibrary]? = nil
    /// Results stages reported beyond metrics (e.g. the `audit` stage's empirical ε lower bound); nil when none.
    public var stageResults: [StageResult]? = nil

    enum CodingKeys: String, CodingKey {
        case status, pipeline, versions, privacy, stages, metrics, training, timings, outputs
        case pluginLibraries = "plugin_libraries"
        case stageResults = "stage_results"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }
}
