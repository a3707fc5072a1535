import BudgetLedgers
import Foundation
import Synchronization

/// Runs a pipeline file end to end: validate (both phases) → plan (total ε, δ from public facts) → bind the data
/// file to its data set → reserve in the ledger (granting `privacy.budget` on first use of the data set) → run the
/// stages → commit → write the output folder.
///
/// Nothing is read from the data before the reservation succeeds (planning reads the CSV header and its
/// record count only). A reservation is never refunded: a run that fails or is killed after reserving leaves
/// it charged and its folder's `status.json` saying `running` or `failed`.
public struct PipelineRunner: Sendable {
    public var environment: PipelineEnvironment
    /// Opens the ledger at a path.
    public var openLedger: @Sendable (String) throws -> any PrivacyLedger
    /// Ledger id of a CSV when the pipeline declares none and no ledger can key one (`plan(file:…)`).
    public var datasetID: @Sendable (String) throws -> String
    /// Version strings for the report.
    public var versions: [String: String]
    /// Creates a new ledger at a path (for `RunOptions.createLedgerIfAbsent`); nil: never create.
    public var createLedger: (@Sendable (String) throws -> Void)?

    public init(environment: PipelineEnvironment,
                openLedger: @escaping @Sendable (String) throws -> any PrivacyLedger,
                datasetID: @escaping @Sendable (String) throws -> String,
                versions: [String: String] = ["dpflow": DPFlowVersion.current]) {
        self.environment = environment
        self.openLedger = openLedger
        self.datasetID = datasetID
        self.versions = versions
    }

    /// Validates and plans a pipeline file (what `dpflow plan` shows), with `epochsOverride` applied.
    /// - Parameter ledgerPath: the ledger whose secret keys the dataset id of a pipeline that declares no
    ///   `privacy.dataset` (it must exist; without it such a pipeline cannot be planned).
    public func plan(file: String, epochsOverride: Int? = nil, ledgerPath: String? = nil) throws -> (Pipeline, PipelinePlan) {
        var pipeline = try Pipeline.load(file: file, environment: environment)
        if let epochsOverride {
            guard SpecLimits.epochs.contains(epochsOverride) else {
                throw PipelineError.invalidPipeline([PipelineDiagnostic(pipeline.spec.position,
                    "--epochs must be \(SpecMappingReader.describe(SpecLimits.epochs)), found \(epochsOverride)")])
            }
            pipeline.overrideEpochs(epochsOverride)
        }
        let keyed: (String) throws -> String = { csv in
            guard let ledgerPath, LedgerLocation.mayBePresent(ledgerPath) else { return try datasetID(csv) }
            let ledger: any PrivacyLedger
            do { ledger = try openLedger(ledgerPath) } catch {
                throw PipelineError.budgetRefused(dataset: "(undeclared)", requested: (0, 0), reason: "the ledger cannot be used: \(error)")
            }
            return try ledger.keyedDatasetID(dataFile: csv)
        }
        return (pipeline, try pipeline.plan(datasetID: keyed))
    }

    /// Runs a pipeline file.
    /// - Returns: the report written to `options.outputDirectory/report.json`.
    /// - Throws: `PipelineError` (see `exitCode`): invalid pipeline or data, budget refused (also: ledger missing,
    ///   damaged, or the data file bound to another data set), stage failure.
    public func run(file: String, options: RunOptions) throws -> RunReport {
        let startedAt = Timestamp.coarseNow()
        let clock = Date()
        if options.createLedgerIfAbsent, !LedgerLocation.mayBePresent(options.ledgerPath) {
            // First use (the default location, or a caller that asks for it): create before planning, so that an
            // undeclared dataset id can be keyed with the new ledger's secret.
            do { try createLedger?(options.ledgerPath) } catch {
                // Another process may have created it meanwhile; then it is opened (and checked) below.
                if !FileManager.default.fileExists(atPath: options.ledgerPath) {
                    throw PipelineError.budgetRefused(dataset: "(not planned yet)", requested: (0, 0),
                                                      reason: "cannot create the ledger '\(options.ledgerPath)': \(error)")
                }
            }
        }
        let pipeline: Pipeline, plan: PipelinePlan
        do {
            (pipeline, plan) = try self.plan(file: file, epochsOverride: options.epochsOverride, ledgerPath: options.ledgerPath)
        } catch let error as PipelineError {
            Self.markPreviousRunSuperseded(options.outputDirectory, file: file, error: error, startedAt: startedAt)
            throw error
        }
        if let job = options.parallel {   // every rank planned the same run, before any reservation
            try DataParallelJob.checkSupported(pipeline, plan)
            try job.agreeOnPlan(plan)
        }
        let planSeconds = Date().timeIntervalSince(clock)
        let output = options.outputDirectory
        let log = RunLog(events: options.events)
        try OutputFolder.prepare(output)
        // Mark the folder as running before reserving: a kill from here on leaves it visibly incomplete.
        let written = Mutex<[String]>([])
        do {
            try JobStatus(state: .running, pipeline: file, startedAt: startedAt).write(folder: output)
            try log.mirror(to: output + "/log.txt")
        } catch {
            let failure = PipelineError.unreadableFile(path: output, reason: "cannot write into the output folder: \(error.localizedDescription)")
            try? Self.markFailed(failure, output: output, file: file, log: log, startedAt: startedAt, written: written)
            throw failure
        }
        log("pipeline '\(pipeline.spec.name)' from \(file)")
        log("plan: \(plan.stages.count) stages, total ε = \(Self.f(plan.totalEpsilon)), δ = \(Self.f(plan.totalDelta)) (sum over stages)")
        log.emit(.log("plan computed in \(String(format: "%.2f", planSeconds)) s"))

        // Budget: bind the data file, grant on first use, check, reserve — before any data value is read.
        do {
            let ledger: any PrivacyLedger
            do { ledger = try openLedger(options.ledgerPath) } catch {
                throw PipelineError.budgetRefused(dataset: plan.dataset, requested: (plan.totalEpsilon, plan.totalDelta),
                                                  reason: "the ledger cannot be used: \(error)")
            }
            // A data file the ledger knows under another data set is refused before any grant (see BudgetLedger.bind).
            if let csv = pipeline.facts.csvPath, let problem = try ledger.bindingProblem(dataset: plan.dataset, dataFile: csv) {
                throw PipelineError.budgetRefused(dataset: plan.dataset, requested: (plan.totalEpsilon, plan.totalDelta), reason: problem)
            }
            var snapshot = try ledger.snapshot(dataset: plan.dataset)
            if snapshot == nil, let grant = plan.grantOnFirstUse {
                try ledger.grant(dataset: plan.dataset, epsilon: grant.epsilon, delta: grant.delta)
                log("ledger: granted ε = \(Self.f(grant.epsilon)), δ = \(Self.f(grant.delta)) to '\(plan.dataset)' (first use)")
                snapshot = try ledger.snapshot(dataset: plan.dataset)
            }
            let verdict = PlanRenderer.fits(plan, ledgerPath: options.ledgerPath, ledger: snapshot)
            guard verdict.fits, snapshot != nil else {
                throw PipelineError.budgetRefused(dataset: plan.dataset, requested: (plan.totalEpsilon, plan.totalDelta),
                                                  reason: verdict.message)
            }
            // Record the binding (checked again atomically) only for a run that goes ahead.
            if let csv = pipeline.facts.csvPath {
                do { try ledger.bind(dataset: plan.dataset, dataFile: csv) } catch PipelineError.budgetRefused(_, _, let reason) {
                    throw PipelineError.budgetRefused(dataset: plan.dataset, requested: (plan.totalEpsilon, plan.totalDelta), reason: reason)
                }
            }
            let reservation = try ledger.reserve(dataset: plan.dataset, job: "\(pipeline.spec.name) → \(output)",
                                                 epsilon: plan.totalEpsilon, delta: plan.totalDelta,
                                                 mechanism: plan.stages.filter { $0.cost.epsilon > 0 }.map(\.kind).joined(separator: "+"))
            try options.parallel?.announceStart()
            log("ledger: reserved ε = \(Self.f(plan.totalEpsilon)), δ = \(Self.f(plan.totalDelta)) on '\(plan.dataset)' (\(PostgresLedgerURL.redact(options.ledgerPath)))")
            try runStages(pipeline: pipeline, plan: plan, options: options, log: log, ledger: ledger, reservation: reservation,
                          startedAt: startedAt, planSeconds: planSeconds, clock: clock, file: file, written: written)
        } catch let error as PipelineError {
            try? Self.markFailed(error, output: output, file: file, log: log, startedAt: startedAt, written: written)
            throw error
        } catch {
            let wrapped = PipelineError.internalError("\(error.localizedDescription)")
            try? Self.markFailed(wrapped, output: output, file: file, log: log, startedAt: startedAt, written: written)
            throw wrapped
        }
        guard let data = FileManager.default.contents(atPath: output + "/report.json") else {
            throw PipelineError.internalError("report.json was not written")
        }
        return try JSONDecoder().decode(RunReport.self, from: data)
    }

    /// Writes the failure into the folder: `status.json` (refused, invalid or failed, with the files written so
    /// far), `log.txt`, and removes any report this run may have written (a failed run has no report).
    static func markFailed(_ error: PipelineError, output: String, file: String, log: RunLog, startedAt: String,
                           written: borrowing Mutex<[String]>) throws {
        let state: JobStatus.State = switch error {
        case .budgetRefused: .refused
        case .invalidPipeline, .invalidData, .unreadableFile: .invalid
        default: .failed
        }
        log(error.description)
        for name in ["report.json", "report.html"] { try? FileManager.default.removeItem(atPath: output + "/" + name) }
        try? log.text.write(toFile: output + "/log.txt", atomically: true, encoding: .utf8)
        let status = JobStatus(state: state, pipeline: file, exitCode: error.exitCode, message: error.description,
                               startedAt: startedAt, finishedAt: Timestamp.coarseNow(), outputs: written.withLock { $0 })
        do { try status.write(folder: output) } catch {
            // Disk full or similar: overwrite in place (truncating first frees the old blocks), and if even that fails,
            // remove the file rather than leave it saying `running`.
            let path = output + "/" + JobStatus.fileName
            let data = (try? JSONEncoder().encode(status)) ?? Data()
            if let handle = FileHandle(forWritingAtPath: path), (try? handle.truncate(atOffset: 0)) != nil,
               (try? handle.write(contentsOf: data)) != nil {
                try? handle.close()
            } else {
                try? FileManager.default.removeItem(atPath: path)
            }
            throw error
        }
    }

    private func runStages(pipeline: Pipeline, plan: PipelinePlan, options: RunOptions, log: RunLog,
                           ledger: any PrivacyLedger, reservation: String, startedAt: String, planSeconds: Double,
                           clock: Date, file: String, written: borrowing Mutex<[String]>) throws {
        var context = RunContext(pipeline: pipeline, plan: plan, options: options, log: log)
        if let seed = options.seed {
            context.notPrivateReasons.append("seeded run (--seed \(seed)): sampling and noise are reproducible, so the DP guarantee does not hold")
        }
        var stageReports: [RunReport.Stage] = []
        let neededAfter = Self.neededAfter(pipeline.spec.stages)
        for (index, stage) in pipeline.spec.stages.enumerated() {
            let t0 = Date()
            log("stage \(index + 1)/\(pipeline.spec.stages.count): \(stage.kind)")
            context.stageIndex = index
            defer { written.withLock { $0 = context.outputs } }
            try stage.run(&context)
            context.dropData(notIn: neededAfter[index])
            let seconds = Date().timeIntervalSince(t0)
            let cost = plan.stages[index].cost
            stageReports.append(.init(name: stage.kind, epsilon: cost.epsilon, delta: cost.delta, detail: cost.detail))
            log("stage \(stage.kind) done\(cost.epsilon > 0 ? ", ε = \(Self.f(cost.epsilon))" : "")")
            // Timings go to the operator only (stderr), never into the output folder.
            log.emit(.log("stage \(stage.kind) took \(String(format: "%.2f", seconds)) s"))
        }
        try ledger.commit(reservation: reservation)
        log("ledger: committed ε = \(Self.f(plan.totalEpsilon)), δ = \(Self.f(plan.totalDelta))")
        let after = try? ledger.snapshot(dataset: plan.dataset)
        log.emit(.log("total \(String(format: "%.2f", Date().timeIntervalSince(clock))) s"))

        let output = options.outputDirectory
        var seen = Set<String>()
        let outputs = (context.outputs + OutputFolder.ownFiles).filter { seen.insert($0).inserted }
        written.withLock { $0 = outputs }
        let report = RunReport(
            status: "completed",
            pipeline: .init(name: pipeline.spec.name, file: file, description: pipeline.spec.description),
            versions: versions,
            privacy: .init(epsilon: plan.totalEpsilon, delta: plan.totalDelta, private: context.notPrivateReasons.isEmpty,
                           notPrivateReasons: context.notPrivateReasons, accountant: pipeline.spec.privacy.accountant,
                           dataset: plan.dataset, composition: "sum of ε and of δ over stages (basic composition, as the ledger)",
                           ledgerGrantedEpsilon: after?.grantedEpsilon, ledgerSpentEpsilon: after?.usedEpsilon,
                           neighbouring: plan.neighbouring.name, neighbouringSummary: plan.neighbouring.summary,
                           records: context.recordCountDescription, privacyUnit: plan.privacyUnit),
            stages: stageReports, metrics: context.metrics, training: context.training, timings: [:],
            outputs: outputs, startedAt: startedAt, finishedAt: Timestamp.coarseNow(),
            pluginLibraries: pipeline.environment.loadedLibraries.isEmpty ? nil : pipeline.environment.loadedLibraries,
            stageResults: context.stageResults.isEmpty ? nil : context.stageResults)
        log("wrote \(output)/report.json and report.html")
        try Self.writeFile(output + "/log.txt") { try log.text.write(toFile: $0, atomically: true, encoding: .utf8) }
        try Self.writeFile(output + "/report.json") { try ReportRenderer.json(report).write(to: URL(fileURLWithPath: $0), options: .atomic) }
        let html = ReportRenderer.html(report, log: log.text, pipelineText: pipeline.spec.sourceText)
        try Self.writeFile(output + "/report.html") { try html.write(toFile: $0, atomically: true, encoding: .utf8) }
        try Self.writeFile(output + "/" + JobStatus.fileName) {
            try JobStatus(state: .completed, pipeline: file, exitCode: 0, epsilon: plan.totalEpsilon,
                          message: report.privacy.private ? nil : "NOT PRIVATE: " + context.notPrivateReasons.joined(separator: "; "),
                          startedAt: startedAt, finishedAt: Timestamp.coarseNow(), outputs: outputs)
                .write(folder: ($0 as NSString).deletingLastPathComponent)
        }
    }

    /// For each stage, what the stages after it need (the union of their declared inputs): after the stage runs, the
    /// rest of the private data is dropped from the context (`RunContext.dropData(notIn:)`).
    static func neededAfter(_ stages: [any PipelineStage]) -> [Set<PipelineArtifact>] {
        var needed = [Set<PipelineArtifact>](repeating: [], count: stages.count)
        for index in stages.indices.dropLast().reversed() {
            needed[index] = needed[index + 1].union(stages[index + 1].inputs)
        }
        return needed
    }

    /// Runs a write; an I/O error (disk full, folder made read-only) becomes an error that names the file.
    static func writeFile(_ path: String, _ body: (String) throws -> Void) throws {
        do { try body(path) } catch {
            throw PipelineError.stageFailed(stage: "write outputs", position: nil,
                                            reason: "cannot write '\(path)': \(error.localizedDescription)")
        }
    }

    /// A run refused before it started (invalid pipeline, budget or ledger refused at planning) writes nothing into a
    /// new folder; but a folder that an earlier dpflow run wrote would still show that run's report and a
    /// `completed` status, as if this run had succeeded. Such a folder is cleared of the earlier run's files and
    /// marked with this run's state instead. Best effort: the error itself is what the caller reports.
    static func markPreviousRunSuperseded(_ output: String, file: String, error: PipelineError, startedAt: String) {
        guard OutputFolder.previousOutputs(output) != nil, (try? OutputFolder.prepare(output)) != nil else { return }
        let state: JobStatus.State = switch error {
        case .budgetRefused: .refused
        case .invalidPipeline, .invalidData, .unreadableFile: .invalid
        default: .failed
        }
        try? JobStatus(state: state, pipeline: file, exitCode: error.exitCode, message: error.description,
                       startedAt: startedAt, finishedAt: Timestamp.coarseNow(), outputs: []).write(folder: output)
    }

    static func f(_ x: Double) -> String { PrivacyFormat.string(x) }
}

/// dpflow's version, written into reports.
public enum DPFlowVersion {
    public static let current = "0.1.0"
}

extension Pipeline {
    /// Replaces `epochs` of every train stage (tests and quick trials); planning and reservation follow it.
    public mutating func overrideEpochs(_ epochs: Int) {
        spec.stages = spec.stages.map { stage in
            guard var train = stage as? TrainStage else { return stage }
            train.epochs = epochs
            return train
        }
    }
}
