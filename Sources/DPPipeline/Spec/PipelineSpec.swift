import PrivacyAccounting

/// A decoded pipeline file (phase a of validation): every key checked for type and range,
/// every stage decoded by its definition in the `StageRegistry`, nothing yet resolved against plugins or data.
public struct PipelineSpec: Sendable {
    /// The pipeline's name (`name:`), used for job names and reports.
    public var name: String
    /// Optional free text (`description:`).
    public var description: String?
    public var privacy: PrivacySpec
    /// The stages, in file order.
    public var stages: [any PipelineStage]
    /// The pipeline file's path as given, and the folder that relative paths in it are resolved against.
    public var file: String
    public var directory: String
    /// Position of the document root, for pipeline-level errors.
    public var position: SourcePosition
    /// The file's text (the report embeds it).
    public var sourceText: String
    /// False when phase (a) reported errors and some stages or keys are missing from this spec.
    public var isComplete: Bool = true
    /// Plugin libraries the file loads (`plugins:`), in file order.
    public var pluginLibraries: [PluginLibraryReference] = []
}

/// One entry of a pipeline's `plugins:` list: a plugin library's path (relative to the pipeline file's folder).
public struct PluginLibraryReference: Sendable {
    public var path: String
    public var position: SourcePosition
}

/// The `privacy:` section: which ledger entry pays and how much may be granted on first use.
public struct PrivacySpec: Sendable {
    /// Ledger id of the data set (`dataset:`); nil means the SHA-256 of the loaded CSV.
    public var dataset: String?
    /// `budget: {epsilon, delta}` granted on first use when the ledger has no grant for the data set.
    public var budget: (epsilon: Double, delta: Double)?
    /// δ of the training stage's (ε, δ) guarantee (`delta:`); defaults to min(1e-5, budget δ).
    public var delta: Double?
    /// Accountant used to compute training ε (`accountant: rdp|pld`, default rdp).
    public var accountant: String
    public var position: SourcePosition
    /// Which data sets are neighbours (`neighbouring: add_remove | replace_one`, default add_remove).
    public var neighbouring: NeighbouringRelation = .addRemove
    /// The data owner's declared number of records (`public_size:`), a public fact the sampling rate and steps
    /// come from under add_remove; nil means a DP count of the rows (`size_epsilon`) at run time.
    public var publicSize: Int?
    /// ε of the DP count of the rows that stands in for `public_size` when none is declared (`size_epsilon:`).
    public var sizeEpsilon: Double = PrivacySpec.defaultSizeEpsilon
    /// Where `public_size` was written (for errors about it).
    public var publicSizePosition: SourcePosition?
    /// The privacy unit column (`unit:`); nil: one row = one unit. With it, `publicSize` counts units
    /// (`public_units:`), the DP count counts distinct units, and the train stage's batch_size is in units.
    public var unit: String?
    public var unitPosition: SourcePosition?
    /// k (`max_rows_per_unit:`), public: units with more rows keep a uniformly random k.
    public var maxRowsPerUnit: Int?

    /// "user-level (unit: patient_id, at most k rows per unit)" or "row-level (one row = one unit)", for plans and reports.
    public var unitDescription: String {
        guard let unit, let k = maxRowsPerUnit else { return "row-level (one row = one unit)" }
        return "user-level (unit: \(unit), at most \(k) rows per unit)"
    }

    /// Default ε of the DP row count: 0.05, small next to a training ε of 1–10 while still placing a data
    /// set of a few hundred rows within a few percent (discrete Laplace scale 1/ε = 20 records).
    public static let defaultSizeEpsilon = 0.05

    /// The δ the training stage is accounted at.
    public var trainingDelta: Double {
        if let delta { return delta }
        if let budget { return min(1e-5, budget.delta) }
        return 1e-5
    }
}
