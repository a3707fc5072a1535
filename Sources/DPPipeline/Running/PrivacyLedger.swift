/// What the runner needs from a budget ledger: look at a data set's grant, grant on first use, bind the data
/// file to the data set, reserve before work, commit after success. Reservations are never refunded.
/// `BudgetLedger` (PrivateDataFrame) is adapted to this in `BudgetLedgerAdapter`; tests may use their own.
public protocol PrivacyLedger: Sendable {
    /// Granted, and spent-plus-reserved, totals for a data set; nil when nothing was granted yet.
    func snapshot(dataset: String) throws -> LedgerSnapshot?
    /// Grants a total budget to a data set that has none.
    func grant(dataset: String, epsilon: Double, delta: Double) throws
    /// Reserves (ε, δ) for a job, or throws `PipelineError.budgetRefused` leaving the ledger unchanged.
    /// - Returns: an id to commit.
    func reserve(dataset: String, job: String, epsilon: Double, delta: Double, mechanism: String) throws -> String
    /// Marks a reservation as spent.
    func commit(reservation: String) throws
    /// Binds the data file a run reads to its data set, refusing (`PipelineError.budgetRefused`) a file the ledger
    /// knows under another data set (see `BudgetLedger.bind`). Called before any grant on first use.
    func bind(dataset: String, dataFile: String) throws
    /// The id of a data set that declares none (keyed with the ledger's secret; never a plain hash).
    func keyedDatasetID(dataFile: String) throws -> String
    /// Why `bind` would refuse, without recording anything (for `dpflow plan`); nil when it would accept.
    func bindingProblem(dataset: String, dataFile: String) throws -> String?
}

extension PrivacyLedger {
    /// Ledgers that do not track data files accept every binding.
    public func bind(dataset: String, dataFile: String) throws {}

    public func bindingProblem(dataset: String, dataFile: String) throws -> String? { nil }

    public func keyedDatasetID(dataFile: String) throws -> String {
        throw PipelineError.internalError("this ledger cannot key a dataset id; declare privacy.dataset")
    }
}
