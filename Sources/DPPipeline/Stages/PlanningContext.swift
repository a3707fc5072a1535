import PrivacyAccounting

/// Where the number of records that sets the sampling rate and the steps comes from.
public enum RecordCountSource: Sendable, Equatable {
    /// replace_one: read from the data (public under that relation, as TF Privacy and Opacus treat it).
    case data
    /// add_remove: the data owner's declared `privacy.public_size`.
    case declared
    /// add_remove without `public_size`: a DP count of the rows released at run time at this ε, charged to the
    /// ledger as part of the `load` stage; the training's q and steps follow from the released count.
    case dpCount(epsilon: Double)

    /// One line for plans and reports, with the count when it is public.
    public func describe(_ count: Int?) -> String {
        switch self {
        case .data: "\(count.map(String.init) ?? "?") records, read from the data (public under replace_one)"
        case .declared: "\(count.map(String.init) ?? "?") records, declared public (privacy.public_size)"
        case .dpCount(let eps):
            count.map { "\($0) records, a DP count (ε = \(PrivacyFormat.string(eps)))" }
                ?? "a DP count of the rows at run time (ε = \(PrivacyFormat.string(eps))); the realised number is private"
        }
    }
}

/// Public facts available when the privacy cost of each stage is computed: the neighbouring relation, the
/// public number of records and the split, the privacy section. No data value is known. Under add_remove the
/// realised number of records is private and never appears here: the counts are the declared `public_size`
/// (and the split fraction applied to it), or nil when they come from a DP count at run time.
public struct PlanningContext: Sendable {
    /// Public number of records (nil: a DP count at run time).
    public var records: Int?
    /// Public number of training records after `split` (all records without a split).
    public var trainingRecords: Int?
    /// Public number of test records.
    public var testRecords: Int?
    public var privacy: PrivacySpec
    public var sizeSource: RecordCountSource
    public var relation: NeighbouringRelation { privacy.neighbouring }

    public init(records: Int?, trainingRecords: Int?, testRecords: Int?, privacy: PrivacySpec,
                sizeSource: RecordCountSource = .data) {
        self.records = records
        self.trainingRecords = trainingRecords
        self.testRecords = testRecords
        self.privacy = privacy
        self.sizeSource = sizeSource
    }

    /// Public sizes of the two parts of `records` under a split with `testFraction` (add_remove): public
    /// arithmetic on a public number, test = round(N·fraction), training = N − test (each at least 1 when N ≥ 2).
    public static func publicSplit(records n: Int, testFraction: Double?) -> (train: Int, test: Int) {
        guard let f = testFraction, n >= 1 else { return (n, 0) }
        var test = Int((Double(n) * f).rounded())
        if n >= 2 { test = min(max(test, 1), n - 1) } else { test = 0 }
        return (n - test, test)
    }
}
