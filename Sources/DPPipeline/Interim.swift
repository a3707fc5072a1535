// Interim until the learning and dataframe modules land on main.
extension PipelineEnvironment {
    public static func standard() throws -> PipelineEnvironment { PipelineEnvironment(stages: .standard) }
}

extension PluginCatalog {
    static func pluginLines(_ environment: PipelineEnvironment) -> [String] { [] }
}

extension PipelineRunner {
    public static func standard(environment: PipelineEnvironment) throws -> PipelineRunner {
        PipelineRunner(environment: environment,
                       openLedger: { _ in throw PipelineError.internalError("the budget ledger is not available in this build") },
                       datasetID: { _ in throw PipelineError.internalError("dataset ids are not available in this build") })
    }

    public func ledgerSnapshot(path: String, dataset: String) throws -> LedgerSnapshot? { nil }
}
