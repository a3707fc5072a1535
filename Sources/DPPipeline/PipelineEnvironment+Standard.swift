import BudgetLedgers
import Foundation
import PrivateDataFrame
import PrivateLearning
import StandardPlugins

extension PipelineEnvironment {
    /// The standard stages and the standard layers, losses and optimizers.
    public static func standard() throws -> PipelineEnvironment {
        var plugins = PluginRegistry()
        try StandardPlugins.register(into: &plugins)
        var stages = StageRegistry.standard
        try stages.registerModelSource("keras_json", KerasModelSource())
        try stages.registerModelExporter("keras", KerasExporter())
        return PipelineEnvironment(stages: stages, plugins: plugins)
    }
}

extension PipelineRunner {
    /// A runner on the budget ledger (SQLite file, or PostgreSQL for a `postgres://` URL). A pipeline without `privacy.dataset` gets an id keyed with the
    /// ledger's secret (`BudgetLedger.fingerprint(file:)`), so it needs an existing ledger; never a plain hash of the data.
    public static func standard(environment: PipelineEnvironment) throws -> PipelineRunner {
        var runner = PipelineRunner(environment: environment,
                                    openLedger: { try BudgetLedgerAdapter(path: $0) },
                                    datasetID: { path in
                                        throw PipelineError.budgetRefused(
                                            dataset: "(undeclared)", requested: (0, 0),
                                            reason: "the pipeline declares no privacy.dataset and there is no ledger yet whose secret "
                                                + "could key an id for '\(path)'; declare privacy.dataset, or create the ledger first "
                                                + "(`dpflow ledger init`)")
                                    })
        runner.createLedger = { try LedgerLocation(path: $0, isExplicit: false).create() }
        return runner
    }

    /// The ledger's state for a data set without creating a ledger file that does not exist yet.
    public func ledgerSnapshot(path: String, dataset: String) throws -> LedgerSnapshot? {
        guard LedgerLocation.mayBePresent(path) else { return nil }
        return try openLedger(path).snapshot(dataset: dataset)
    }
}

extension PluginCatalog {
    static func pluginLines(_ environment: PipelineEnvironment) -> [String] {
        var out: [String] = []
        for kind in PluginKind.allCases {
            out.append(["layer": "Layers:", "loss": "Losses:", "optimizer": "Optimizers:"][kind.rawValue] ?? "\(kind.rawValue):")
            for name in environment.plugins.names(of: kind) {
                var facts: [String] = []
                if let d = environment.plugins.declaration(of: kind, name), d.name == name {
                    if let keras = d.keras { facts.append("Keras \(keras.className)") }
                    if let encoding = d.targetEncoding { facts.append("targets: \(encoding.rawValue)") }
                }
                out.append("  \(name) — \(environment.plugins.summary(of: kind, name) ?? "")"
                           + (facts.isEmpty ? "" : " [\(facts.joined(separator: "; "))]"))
                for p in environment.plugins.parameterDescriptions(of: kind, name) ?? [] {
                    out.append("      \(p.name): \(p.type)\(p.defaultValue.map { " = \($0)" } ?? " (required)") — \(p.summary)")
                }
            }
        }
        return out
    }
}

