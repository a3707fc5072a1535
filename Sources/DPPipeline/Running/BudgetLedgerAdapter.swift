import Foundation
import PrivateDataFrame

/// `BudgetLedger` (SQLite, reserve → commit, never refunds) as the runner's `PrivacyLedger`.
public struct BudgetLedgerAdapter: PrivacyLedger {
    public let ledger: BudgetLedger

    /// Opens (or creates, with its folder) the ledger at `path`.
    public init(path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        do { ledger = try BudgetLedger(path: path) } catch {
            throw PipelineError.internalError("cannot open the budget ledger '\(path)': \(error)")
        }
    }

    public func snapshot(dataset: String) throws -> LedgerSnapshot? {
        do {
            guard let b = try ledger.budgets().first(where: { $0.dataset == dataset }) else { return nil }
            return LedgerSnapshot(grantedEpsilon: b.grantedEpsilon, grantedDelta: b.grantedDelta,
                                  usedEpsilon: b.committedEpsilon + b.reservedEpsilon,
                                  usedDelta: b.committedDelta + b.reservedDelta)
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
        } catch let error as DataFrameError {
            switch error {
            case .budgetExceeded, .noGrant:
                throw PipelineError.budgetRefused(dataset: dataset, requested: (epsilon, delta), reason: error.description)
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
}
