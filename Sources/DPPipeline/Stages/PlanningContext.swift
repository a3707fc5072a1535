/// Public facts available when the privacy cost of each stage is computed: the number of records and
/// the split, the privacy section, and the artifacts left by earlier stages. No data value is known.
public struct PlanningContext: Sendable {
    /// Records in the CSV (treated as public, as in TF Privacy).
    public var records: Int
    /// Records in the training part after `split` (all records without a split).
    public var trainingRecords: Int
    /// Records in the test part.
    public var testRecords: Int
    public var privacy: PrivacySpec

    public init(records: Int, trainingRecords: Int, testRecords: Int, privacy: PrivacySpec) {
        self.records = records
        self.trainingRecords = trainingRecords
        self.testRecords = testRecords
        self.privacy = privacy
    }
}
