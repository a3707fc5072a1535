import BudgetLedgers
import Foundation
import PrivateDataFrame

/// A `BudgetLedger` (SQLite or PostgreSQL; reserve → commit, never refunds) as the runner's `PrivacyLedger`.
public struct BudgetLedgerAdapter: PrivacyLedger {
    public let ledger: any BudgetLedger

    /// Opens the ledger at `path` (a SQLite file, or a `postgres://` URL). It must exist (made by `dpflow ledger
    /// init`); with `createIfAbsent` a missing SQLite file (never an empty or damaged one) is created with its
    /// folder — the first use of the default location, and programmatic callers that choose it.
    /// - Throws: `LedgerError.ledger` when the ledger is missing (and not to be created), empty, damaged,
    ///   unreachable or not a ledger.
    public init(path: String, createIfAbsent: Bool = false) throws {
        let location = LedgerLocation(path: path, isExplicit: !createIfAbsent)
        if createIfAbsent, !LedgerLocation.mayBePresent(path) {
            do { ledger = try location.create() } catch LedgerError.ledger(_, _) where FileManager.default.fileExists(atPath: path) {
                // Another process created it first.
                ledger = try location.open()
            }
        } else {
            ledger = try location.open()
        }
    }

    /// Adapts an open ledger.
    public init(ledger: any BudgetLedger) {
        self.ledger = ledger
    }

    public func snapshot(dataset: String) throws -> LedgerSnapshot? {
        do {
            guard let u = try ledger.units(dataset: dataset) else { return nil }
            var s = LedgerSnapshot(grantedEpsilon: BudgetAmount.epsilon(u.grantedEpsilon), grantedDelta: BudgetAmount.delta(u.grantedDelta),
                                   usedEpsilon: BudgetAmount.epsilon(u.chargedEpsilon), usedDelta: BudgetAmount.delta(u.chargedDelta))
            s.remainingUnits = (u.grantedEpsilon - u.chargedEpsilon, u.grantedDelta - u.chargedDelta)
            return s
        } catch {
            throw PipelineError.internalError("budget ledger: \(error)")
        }
    }

    public func grant(dataset: String, epsilon: Double, delta: Double) throws {
        do { try ledger.grant(dataset: dataset, epsilon: epsilon, delta: delta) } catch {
            throw PipelineError.internalError("budget ledger: \(error)")
        }
    }

    public func reserve(dataset: String, job: String, epsilon: Double, delta: Double, mechanism: String) throws -> String {
        do {
            let r = try ledger.reserve(dataset: dataset, job: job, mechanism: mechanism, epsilon: epsilon, delta: delta)
            return String(r.id)
        } catch let error as LedgerError {
            switch error {
            case let .budgetExceeded(_, _, _, le, ld):
                throw PipelineError.budgetRefused(dataset: dataset, requested: (epsilon, delta),
                                                  reason: "the ledger has ε = \(PrivacyFormat.string(le)), δ = \(PrivacyFormat.string(ld)) left")
            case .noGrant:
                throw PipelineError.budgetRefused(dataset: dataset, requested: (epsilon, delta), reason: "no budget is granted to it")
            default:
                throw PipelineError.internalError("budget ledger: \(error)")
            }
        }
    }

    public func commit(reservation: String) throws {
        guard let id = Int64(reservation) else { throw PipelineError.internalError("bad reservation id '\(reservation)'") }
        do { try ledger.commit(id: id) } catch {
            throw PipelineError.internalError("budget ledger: \(error)")
        }
    }

    public func bind(dataset: String, dataFile: String) throws {
        do {
            try ledger.bind(dataset: dataset, file: ledger.fingerprint(file: dataFile), displayPath: dataFile)
        } catch let error as LedgerError {
            switch error {
            case .fileBoundElsewhere:
                throw PipelineError.budgetRefused(dataset: dataset, requested: (0, 0), reason: error.description)
            case .fileUnreadable:
                throw PipelineError.unreadableFile(path: dataFile, reason: "cannot be read")
            default:
                throw PipelineError.internalError("budget ledger: \(error)")
            }
        }
    }

    public func bindingProblem(dataset: String, dataFile: String) throws -> String? {
        do {
            let owners = try ledger.datasets(boundTo: ledger.fingerprint(file: dataFile))
            if owners.isEmpty || owners.contains(dataset) { return nil }
            return LedgerError.fileBoundElsewhere(file: dataFile, dataset: dataset, boundTo: owners).description
        } catch LedgerError.fileUnreadable {
            throw PipelineError.unreadableFile(path: dataFile, reason: "cannot be read")
        } catch {
            throw PipelineError.internalError("budget ledger: \(error)")
        }
    }

    public func keyedDatasetID(dataFile: String) throws -> String {
        do { return try ledger.fingerprint(file: dataFile).datasetID } catch {
            throw PipelineError.unreadableFile(path: dataFile, reason: "cannot be read")
        }
    }
}
