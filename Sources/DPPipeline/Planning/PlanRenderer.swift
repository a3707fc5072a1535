import BudgetLedgers
import Foundation
import PrivateDataFrame

/// The ledger's state for a data set, as the plan shows it.
public struct LedgerSnapshot: Sendable, Equatable {
    public var grantedEpsilon: Double
    public var grantedDelta: Double
    /// Spent plus reserved (reservations are never refunded).
    public var usedEpsilon: Double
    public var usedDelta: Double
    public var remainingEpsilon: Double { grantedEpsilon - usedEpsilon }
    public var remainingDelta: Double { grantedDelta - usedDelta }
    /// What is left in the ledger's exact units (`BudgetAmount`), when the ledger gave them; `fits` uses them.
    public var remainingEpsilonUnits: Int64?
    public var remainingDeltaUnits: Int64?
    public var remainingUnits: (epsilon: Int64, delta: Int64)? {
        get { remainingEpsilonUnits.flatMap { e in remainingDeltaUnits.map { (e, $0) } } }
        set { remainingEpsilonUnits = newValue?.epsilon; remainingDeltaUnits = newValue?.delta }
    }

    public init(grantedEpsilon: Double, grantedDelta: Double, usedEpsilon: Double, usedDelta: Double) {
        self.grantedEpsilon = grantedEpsilon
        self.grantedDelta = grantedDelta
        self.usedEpsilon = usedEpsilon
        self.usedDelta = usedDelta
    }
}

/// Text rendering of a plan for `dpflow plan`.
public enum PlanRenderer {
    /// - Parameters:
    ///   - ledger: the data set's ledger entry, nil when the ledger has no grant yet (then the pipeline's
    ///     `privacy.budget` would be granted on first use).
    ///   - ledgerProblem: why the ledger cannot pay at all (missing, damaged, the data file bound elsewhere).
    public static func text(_ plan: PipelinePlan, file: String, ledgerPath: String, ledger: LedgerSnapshot?,
                            ledgerProblem: String? = nil) -> String {
        var out: [String] = []
        out.append("Pipeline '\(plan.pipelineName)' (\(file))")
        out.append("Neighbouring: \(plan.neighbouring.name) — \(plan.neighbouring.summary)")
        if plan.privacyUnit.hasPrefix("user-level") { out.append("Privacy unit: \(plan.privacyUnit)") }
        out.append("Data: \(dataLine(plan)); ledger id '\(plan.dataset)'")
        if let model = plan.model {
            out.append("Model: \(model.layerSummary.joined(separator: " → ")); \(model.parameterCount) parameters")
        }
        if let t = plan.training, t.deferred {
            out.append("Training: N, q and steps from the DP count of the rows at run time, B = \(t.batchSize), \(t.epochs) epochs, "
                       + "σ calibrated then to ε = \(f(t.targetEpsilon ?? 0)), C = \(f(t.l2NormClip)), δ = \(f(t.delta)), "
                       + "accountant \(t.accountant)")
        } else if let t = plan.training {
            out.append("Training: N = \(t.examples), B = \(t.batchSize), q = \(f(t.samplingRate)), \(t.epochs) epochs = \(t.steps) steps, "
                       + "σ = \(f(t.noiseMultiplier))\(t.calibrated ? " (calibrated to target ε)" : ""), C = \(f(t.l2NormClip)), "
                       + "δ = \(f(t.delta)), accountant \(t.accountant)")
        }
        out.append("")
        let rows = plan.stages.enumerated().map { i, s in
            [String(i + 1), s.kind, f(s.cost.epsilon), f(s.cost.delta), s.cost.detail]
        }
        out.append(contentsOf: table(["#", "stage", "ε", "δ", "cost"], rows))
        out.append("")
        out.append("Total: ε = \(f(plan.totalEpsilon)), δ = \(f(plan.totalDelta)) (sum over stages, the ledger's composition)")
        if plan.exactEvaluation {
            out.append("WARNING: 'evaluate' uses mode: exact — the report will be marked NOT PRIVATE.")
        }
        out.append(fits(plan, ledgerPath: ledgerPath, ledger: ledger, ledgerProblem: ledgerProblem).message)
        return out.joined(separator: "\n")
    }

    /// Whether the plan fits the ledger (or, with no grant yet, the budget granted on first use), by the
    /// ledger's own rule (`BudgetAmount.fits`: the same exact units and rounding as the reservation).
    public static func fits(_ plan: PipelinePlan, ledgerPath: String, ledger: LedgerSnapshot?,
                            ledgerProblem: String? = nil) -> (fits: Bool, message: String) {
        let ledgerPath = PostgresLedgerURL.redact(ledgerPath)  // never a password in a message
        let eps = plan.totalEpsilon, delta = plan.totalDelta
        if let ledgerProblem {
            return (false, "Ledger \(ledgerPath): \(ledgerProblem) → DOES NOT FIT (dpflow run would refuse it)")
        }
        if let ledger {
            let ok = BudgetAmount.fits(epsilon: eps, delta: delta,
                                       remainingEpsilonUnits: ledger.remainingEpsilonUnits ?? BudgetAmount.epsilonUnitsGranted(max(0, ledger.remainingEpsilon)),
                                       remainingDeltaUnits: ledger.remainingDeltaUnits ?? BudgetAmount.deltaUnitsGranted(max(0, ledger.remainingDelta)))
            return (ok, "Ledger \(ledgerPath): granted ε = \(f(ledger.grantedEpsilon)), δ = \(f(ledger.grantedDelta)); "
                    + "used ε = \(f(ledger.usedEpsilon)), δ = \(f(ledger.usedDelta)); remaining ε = \(f(ledger.remainingEpsilon)), "
                    + "δ = \(f(ledger.remainingDelta)) → " + (ok ? "FITS" : "DOES NOT FIT (dpflow run would refuse it; "
                    + "the data owner may raise the grant with 'dpflow ledger grant')"))
        }
        if let grant = plan.grantOnFirstUse {
            let ok = BudgetAmount.fits(epsilon: eps, delta: delta, remainingEpsilonUnits: BudgetAmount.epsilonUnitsGranted(grant.epsilon),
                                       remainingDeltaUnits: BudgetAmount.deltaUnitsGranted(grant.delta))
            return (ok, "Ledger \(ledgerPath): no grant for '\(plan.dataset)' yet; privacy.budget (ε = \(f(grant.epsilon)), "
                    + "δ = \(f(grant.delta))) will be granted on first use → \(ok ? "FITS" : "DOES NOT FIT (dpflow run would refuse it)")")
        }
        return (false, "Ledger \(ledgerPath): no grant for '\(plan.dataset)' and no privacy.budget in the pipeline → DOES NOT FIT "
                + "(grant one with 'dpflow ledger grant' or add privacy.budget)")
    }

    /// The public number of records and where it comes from; under add_remove never the realised one.
    static func dataLine(_ plan: PipelinePlan) -> String {
        switch plan.sizeSource {
        case .dpCount:
            return plan.sizeSource.describe(nil, userLevel: plan.privacyUnit.hasPrefix("user-level"))
        case .data, .declared:
            let rule = plan.sizeSource == .declared ? ": the split fraction applied to it" : ""
            let parts = plan.testRecords.map { $0 > 0 ? " (\(plan.trainingRecords ?? 0) training, \($0) test\(rule))" : "" } ?? ""
            return plan.sizeSource.describe(plan.records, userLevel: plan.privacyUnit.hasPrefix("user-level")) + parts
        }
    }

    static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        var widths = header.map(\.count)
        for row in rows { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return [line(header)] + rows.map(line)
    }

    static func f(_ x: Double) -> String { PrivacyFormat.string(x) }
}
