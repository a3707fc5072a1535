import Foundation

/// Runs a pipeline file end to end: validate (both phases) → plan (total ε, δ from public facts) → reserve in
/// the ledger (granting `privacy.budget` on first use) → run the stages → commit → write the output folder.
///
/// Nothing is read from the data before the reservation succeeds (planning reads the CSV header and its
/// record count only). A reservation is never refunded: a run that fails or is killed after reserving leaves
/// it charged and its folder's `status.json` saying `running` or `failed`.
public struct PipelineRunner: Sendable {
    public var environment: PipelineEnvironment
    /// Opens the ledger at a path.
    public var openLedger: @Sendable (String) throws -> any PrivacyLedger
    /// Ledger id of a CSV when the pipeline declares none (its SHA-256).
    public var datasetID: @Sendable (String) throws -> String
    /// Version strings for the report.
    public var versions: [String: String]

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
    public func plan(file: String, epochsOverride: Int? = nil) throws -> (Pipeline, PipelinePlan) {
        var pipeline = try Pipeline.load(file: file, environment: environment)
        if let epochsOverride {
            guard SpecLimits.epochs.contains(epochsOverride) else {
                throw PipelineError.invalidPipeline([PipelineDiagnostic(pipeline.spec.position,
                    "--epochs must be \(SpecMappingReader.describe(SpecLimits.epochs)), found \(epochsOverride)")])
            }
            pipeline.overrideEpochs(epochsOverride)
        }
        return (pipeline, try pipeline.plan(datasetID: datasetID))
    }

    /// Runs a pipeline file.
    /// - Returns: the report written to `options.outputDirectory/report.json`.
    /// - Throws: `PipelineError` (see `exitCode`): invalid pipeline or data, budget refused, stage failure.
    public func run(file: String, options: RunOptions) throws -> RunReport {
        let startedAt = Timestamp.now()
        let clock = Date()
        let (pipeline, plan) = try self.plan(file: file, epochsOverride: options.epochsOverride)
        let planSeconds = Date().timeIntervalSince(clock)
        let output = options.outputDirectory
        let log = RunLog(events: options.events)
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw PipelineError.internalError("cannot create the output folder '\(output)': \(error.localizedDescription)")
        }
        // Mark the folder as running before reserving: a kill from here on leaves it visibly incomplete.
        try JobStatus(state: .running, pipeline: file, startedAt: startedAt).write(folder: output)
        log("pipeline '\(pipeline.spec.name)' from \(file)")
        log("plan: \(plan.stages.count) stages, total ε = \(Self.f(plan.totalEpsilon)), δ = \(Self.f(plan.totalDelta)) (sum over stages)")

        // Budget: grant on first use, check, reserve — before any data value is read.
        let reservation: String
        do {
            let ledger = try openLedger(options.ledgerPath)
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
            reservation = try ledger.reserve(dataset: plan.dataset, job: "\(pipeline.spec.name) → \(output)",
                                             epsilon: plan.totalEpsilon, delta: plan.totalDelta,
                                             mechanism: plan.stages.filter { $0.cost.epsilon > 0 }.map(\.kind).joined(separator: "+"))
            log("ledger: reserved ε = \(Self.f(plan.totalEpsilon)), δ = \(Self.f(plan.totalDelta)) on '\(plan.dataset)' (\(options.ledgerPath))")
            try runStages(pipeline: pipeline, plan: plan, options: options, log: log, ledger: ledger, reservation: reservation,
                          startedAt: startedAt, planSeconds: planSeconds, clock: clock, file: file)
        } catch let error as PipelineError {
            let state: JobStatus.State = switch error {
            case .budgetRefused: .refused
            case .invalidPipeline, .invalidData, .unreadableFile: .invalid
            default: .failed
            }
            log(error.description)
            try? log.text.write(toFile: output + "/log.txt", atomically: true, encoding: .utf8)
            try? JobStatus(state: state, pipeline: file, exitCode: error.exitCode, message: error.description,
                           startedAt: startedAt, finishedAt: Timestamp.now()).write(folder: output)
            throw error
        } catch {
            let wrapped = PipelineError.internalError("\(error.localizedDescription)")
            try? JobStatus(state: .failed, pipeline: file, exitCode: wrapped.exitCode, message: wrapped.description,
                           startedAt: startedAt, finishedAt: Timestamp.now()).write(folder: output)
            throw wrapped
        }
        guard let data = FileManager.default.contents(atPath: output + "/report.json") else {
            throw PipelineError.internalError("report.json was not written")
        }
        return try JSONDecoder().decode(RunReport.self, from: data)
    }

    private func runStages(pipeline: Pipeline, plan: PipelinePlan, options: RunOptions, log: RunLog,
                           ledger: any PrivacyLedger, reservation: String, startedAt: String, planSeconds: Double,
                           clock: Date, file: String) throws {
        var context = RunContext(pipeline: pipeline, plan: plan, options: options, log: log)
        if let seed = options.seed {
            context.notPrivateReasons.append("seeded run (--seed \(seed)): sampling and noise are reproducible, so the DP guarantee does not hold")
        }
        var stageReports: [RunReport.Stage] = []
        var timings: [String: Double] = ["plan": planSeconds]
        for (index, stage) in pipeline.spec.stages.enumerated() {
            let t0 = Date()
            log("stage \(index + 1)/\(pipeline.spec.stages.count): \(stage.kind)")
            context.stageIndex = index
            try stage.run(&context)
            let seconds = Date().timeIntervalSince(t0)
            let cost = plan.stages[index].cost
            stageReports.append(.init(name: stage.kind, epsilon: cost.epsilon, delta: cost.delta, detail: cost.detail, seconds: seconds))
            timings["\(index + 1)-\(stage.kind)"] = seconds
            log("stage \(stage.kind) done in \(String(format: "%.2f", seconds)) s\(cost.epsilon > 0 ? ", ε = \(Self.f(cost.epsilon))" : "")")
        }
        try ledger.commit(reservation: reservation)
        log("ledger: committed ε = \(Self.f(plan.totalEpsilon)), δ = \(Self.f(plan.totalDelta))")
        let after = try? ledger.snapshot(dataset: plan.dataset)
        timings["total"] = Date().timeIntervalSince(clock)

        let output = options.outputDirectory
        var seen = Set<String>()
        let outputs = (context.outputs + ["report.json", "report.html", "log.txt", JobStatus.fileName]).filter { seen.insert($0).inserted }
        let report = RunReport(
            status: "completed",
            pipeline: .init(name: pipeline.spec.name, file: file, description: pipeline.spec.description),
            versions: versions,
            privacy: .init(epsilon: plan.totalEpsilon, delta: plan.totalDelta, private: context.notPrivateReasons.isEmpty,
                           notPrivateReasons: context.notPrivateReasons, accountant: pipeline.spec.privacy.accountant,
                           dataset: plan.dataset, composition: "sum of ε and of δ over stages (basic composition, as the ledger)",
                           ledgerGrantedEpsilon: after?.grantedEpsilon, ledgerSpentEpsilon: after?.usedEpsilon),
            stages: stageReports, metrics: context.metrics, training: context.training, timings: timings,
            outputs: outputs, startedAt: startedAt, finishedAt: Timestamp.now())
        try ReportRenderer.json(report).write(to: URL(fileURLWithPath: output + "/report.json"), options: .atomic)
        log("wrote \(output)/report.json and report.html")
        let html = ReportRenderer.html(report, log: log.text, pipelineText: pipeline.spec.sourceText)
        try html.write(toFile: output + "/report.html", atomically: true, encoding: .utf8)
        try log.text.write(toFile: output + "/log.txt", atomically: true, encoding: .utf8)
        try JobStatus(state: .completed, pipeline: file, exitCode: 0, epsilon: plan.totalEpsilon,
                      message: report.privacy.private ? nil : "NOT PRIVATE: " + context.notPrivateReasons.joined(separator: "; "),
                      startedAt: startedAt, finishedAt: Timestamp.now()).write(folder: output)
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
