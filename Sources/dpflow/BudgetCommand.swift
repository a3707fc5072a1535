import ArgumentParser
import Foundation
import PrivacyAccounting

/// `dpflow budget`: the (ε, δ) a DP-SGD run spends, or the noise multiplier that meets a target ε.
///
/// Options are read as text and converted here, so that every bad argument — non-numeric,
/// out of range, missing — is reported with one clear message and exit code 2 (ArgumentParser's
/// own parse and validation errors would exit with 64).
struct BudgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "Compute the privacy budget ε of a DP-SGD run, or calibrate its noise multiplier.",
        discussion: """
            Sampling rate q = batch-size / examples; steps = ceil(epochs · ceil(examples / batch-size)), the convention pipelines train with (dpflow plan and run count the same steps).

            --neighbouring add_remove (default): Poisson sampling, add-or-remove-one neighbours (examples is the public size: declared, or a DP count). --neighbouring replace_one: fixed-size batches sampled without replacement, replace-one neighbours (the clipped sum's sensitivity is then 2C); RDP accountant only.

            Give --noise-multiplier to get ε, or --target-epsilon to get the smallest noise multiplier whose ε does not exceed the target (re-checked with the same accountant). Bad arguments exit with code 2.

            User-level DP (privacy.unit in a pipeline): --units N_units --batch-units B_units instead of --examples/--batch-size; units are Poisson-sampled with q = B_units/N_units and steps = ceil(epochs · ceil(N_units/B_units)); add_remove of a whole unit.

            Example: dpflow budget --examples 60000 --batch-size 256 --noise-multiplier 1.1 --epochs 60 --delta 1e-5
            Example: dpflow budget --units 436 --batch-units 32 --target-epsilon 3 --epochs 30 --delta 1e-5
            """
    )

    @Option(parsing: .unconditional, help: ArgumentHelp("Number of training examples N.", valueName: "n"))
    var examples: String?

    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: ArgumentHelp("Expected batch size B (1 ≤ B ≤ N).", valueName: "b"))
    var batchSize: String?

    @Option(name: .customLong("noise-multiplier"), parsing: .unconditional,
            help: ArgumentHelp("Noise multiplier σ (noise std / clipping norm), > 0.", valueName: "sigma"))
    var noiseMultiplier: String?

    @Option(name: .customLong("target-epsilon"), parsing: .unconditional,
            help: ArgumentHelp("Target ε: print the calibrated noise multiplier instead of ε.", valueName: "epsilon"))
    var targetEpsilon: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("User-level DP: the public number of privacy units N_units (instead of --examples).", valueName: "n"))
    var units: String?

    @Option(name: .customLong("batch-units"), parsing: .unconditional,
            help: ArgumentHelp("User-level DP: the expected number of units per batch B_units (instead of --batch-size).", valueName: "b"))
    var batchUnits: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Number of epochs (may be fractional), > 0.", valueName: "e"))
    var epochs: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("δ of the (ε, δ) guarantee, in (0, 1); typically < 1/N.", valueName: "d"))
    var delta: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Accountant: rdp (default) or pld.", valueName: "rdp|pld"))
    var accountant: String = "rdp"

    @Option(parsing: .unconditional, help: ArgumentHelp("Neighbouring relation: add_remove (default) or replace_one.",
                                                         valueName: "add_remove|replace_one"))
    var neighbouring: String = NeighbouringRelation.addRemove.name

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    /// Unknown options and stray words, collected so they too are reported with exit code 2.
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var unrecognized: [String] = []

    /// What the command was asked, after conversion and range checks.
    struct Request {
        var examples: Int, batchSize: Int, epochs: Double, delta: Double
        var noiseMultiplier: Double?, targetEpsilon: Double?
        var accountant: AccountantKind
        var neighbouring: NeighbouringRelation = .addRemove
        /// True when N and B count privacy units (`--units`, `--batch-units`).
        var unitLevel = false
    }

    struct Output: Encodable {
        var epsilon: Double
        var delta: Double
        var noise_multiplier: Double
        var sampling_rate: Double
        var steps: Int
        var accountant: String
        var conversion: String?
        var examples: Int
        var batch_size: Int
        var epochs: Double
        var target_epsilon: Double?
        var neighbouring: String
        var neighbouring_summary: String
        var steps_per_epoch: Int
        /// "unit" with --units/--batch-units (examples and batch_size then count units), else "row".
        var privacy_unit: String
    }

    func run() throws {
        let request: Request
        do {
            request = try parse()
        } catch let message as UsageProblem {
            FileHandle.standardError.write(Data("error: \(message.text)\nUsage: dpflow \(Self.usageString())\n".utf8))
            throw ExitCode(2)
        }
        do {
            try report(request)
        } catch let error as PrivacyAccountingError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
    }

    struct UsageProblem: Error { let text: String }

    func parse() throws -> Request {
        func required(_ value: String?, _ flag: String) throws -> String {
            guard let v = value else { throw UsageProblem(text: "missing \(flag)") }
            return v
        }
        func integer(_ value: String?, _ flag: String) throws -> Int {
            let v = try required(value, flag)
            guard let n = Int(v.trimmingCharacters(in: .whitespaces)) else {
                throw UsageProblem(text: "\(flag) must be a whole number, got '\(v)'")
            }
            return n
        }
        func number(_ value: String, _ flag: String) throws -> Double {
            guard let x = Double(value.trimmingCharacters(in: .whitespaces)), x.isFinite else {
                throw UsageProblem(text: "\(flag) must be a finite number, got '\(value)'")
            }
            return x
        }
        if let first = unrecognized.first {
            throw UsageProblem(text: "unknown option or argument '\(first)'")
        }
        let unitLevel = units != nil || batchUnits != nil
        if unitLevel {
            if examples != nil || batchSize != nil {
                throw UsageProblem(text: "give --units and --batch-units (user level) or --examples and --batch-size (row level), not both")
            }
            if neighbouring.lowercased() == NeighbouringRelation.replaceOne.name {
                throw UsageProblem(text: "--units needs --neighbouring add_remove (a whole unit added or removed)")
            }
        }
        let n = unitLevel ? try integer(units, "--units") : try integer(examples, "--examples")
        let b = unitLevel ? try integer(batchUnits, "--batch-units") : try integer(batchSize, "--batch-size")
        let e = try number(try required(epochs, "--epochs"), "--epochs")
        let d = try number(try required(delta, "--delta"), "--delta")
        let (nFlag, bFlag) = unitLevel ? ("--units", "--batch-units") : ("--examples", "--batch-size")
        guard n >= 1 else { throw UsageProblem(text: "\(nFlag) must be ≥ 1, got \(n)") }
        guard b >= 1 else { throw UsageProblem(text: "\(bFlag) must be ≥ 1, got \(b)") }
        guard b <= n else {
            throw UsageProblem(text: "\(bFlag) \(b) exceeds \(nFlag) \(n): the sampling rate q = B/N would be > 1")
        }
        guard e > 0 else { throw UsageProblem(text: "--epochs must be > 0, got \(e)") }
        guard d > 0, d < 1 else { throw UsageProblem(text: "--delta must lie strictly between 0 and 1, got \(d)") }
        guard let kind = AccountantKind(rawValue: accountant.lowercased()) else {
            throw UsageProblem(text: "--accountant must be 'rdp' or 'pld', got '\(accountant)'")
        }
        guard let relation = NeighbouringRelation(rawValue: neighbouring.lowercased()) else {
            throw UsageProblem(text: "--neighbouring must be 'add_remove' or 'replace_one', got '\(neighbouring)'")
        }
        if relation == .replaceOne, kind == .pld {
            throw UsageProblem(text: "--neighbouring replace_one needs --accountant rdp (PLD does not account for "
                               + "fixed-size batches sampled without replacement)")
        }
        var request = Request(examples: n, batchSize: b, epochs: e, delta: d, accountant: kind, neighbouring: relation)
        request.unitLevel = unitLevel
        switch (noiseMultiplier, targetEpsilon) {
        case (let s?, nil):
            let sigma = try number(s, "--noise-multiplier")
            guard sigma > 0 else { throw UsageProblem(text: "--noise-multiplier must be > 0, got \(sigma)") }
            request.noiseMultiplier = sigma
        case (nil, let t?):
            let target = try number(t, "--target-epsilon")
            guard target > 0 else { throw UsageProblem(text: "--target-epsilon must be > 0, got \(target)") }
            request.targetEpsilon = target
        case (nil, nil):
            throw UsageProblem(text: "give --noise-multiplier (to compute ε) or --target-epsilon (to calibrate σ)")
        case (_?, _?):
            throw UsageProblem(text: "give either --noise-multiplier or --target-epsilon, not both")
        }
        return request
    }

    func report(_ r: Request) throws {
        let run = try DPSGDRun(examples: r.examples, batchSize: r.batchSize, epochs: r.epochs, relation: r.neighbouring)
        let sigma = try r.noiseMultiplier ?? run.calibrateNoiseMultiplier(targetEpsilon: r.targetEpsilon!, delta: r.delta,
                                                                          accountant: r.accountant)
        let budget = PrivacyBudget(epsilon: try run.epsilon(noiseMultiplier: sigma, delta: r.delta, accountant: r.accountant),
                                   delta: r.delta, noiseMultiplier: sigma, samplingRate: run.samplingRate,
                                   steps: run.steps, accountant: r.accountant)
        if json {
            let out = Output(epsilon: budget.epsilon, delta: budget.delta, noise_multiplier: budget.noiseMultiplier,
                             sampling_rate: budget.samplingRate, steps: budget.steps,
                             accountant: budget.accountant.rawValue,
                             conversion: budget.accountant == .rdp ? "improved (Canonne-Kamath-Steinke)" : nil,
                             examples: r.examples, batch_size: r.batchSize, epochs: r.epochs,
                             target_epsilon: r.targetEpsilon, neighbouring: r.neighbouring.name,
                             neighbouring_summary: r.neighbouring.summary, steps_per_epoch: run.stepsPerEpoch,
                             privacy_unit: r.unitLevel ? "unit" : "row")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            // ε = ∞ (no finite ε at this δ) is a legitimate answer; JSON has no infinity literal.
            encoder.nonConformingFloatEncodingStrategy = .convertToString(
                positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            print(String(decoding: try encoder.encode(out), as: UTF8.self))
            return
        }
        let method = budget.accountant == .rdp ? "RDP accountant, improved conversion" : "PLD accountant, d = 1e-4"
        let sampling = r.neighbouring == .addRemove ? "Poisson" : "fixed-size batches without replacement"
        let shape = "q = \(fmt(budget.samplingRate)) (\(r.batchSize)/\(r.examples)\(r.unitLevel ? " units" : ""), \(sampling)\(r.unitLevel ? " of units" : "")), \(budget.steps) steps "
            + "(\(fmt(r.epochs)) epochs × \(run.stepsPerEpoch) steps)"
        let relation = r.unitLevel
            ? "neighbouring: add_remove of one whole privacy unit (user-level: all of a unit's rows, each unit's gradient clipped to C)"
            : "neighbouring: \(r.neighbouring.name) — \(r.neighbouring.summary)"
        if let target = r.targetEpsilon {
            print("noise multiplier σ = \(fmt(sigma, 6))")
            print("  reaches ε = \(fmt(budget.epsilon)) ≤ target \(fmt(target)) at δ = \(fmt(budget.delta)) (\(method))")
            print("  \(shape)")
        } else {
            print("ε = \(fmt(budget.epsilon)) at δ = \(fmt(budget.delta)) (\(method))")
            print("  σ = \(fmt(sigma)), \(shape)")
        }
        print("  \(relation)")
    }

    private func fmt(_ x: Double, _ digits: Int = 6) -> String {
        let s = String(format: "%.\(digits)g", x)
        return s
    }
}
