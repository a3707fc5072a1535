// audit-bench: a release-mode demonstration of PrivacyAudit.
//   swift run -c release audit-bench [path/to/breast_cancer.csv]
// Prints aggregates only (AUC, bounds, ε, timings), never a data value.
import Foundation
import PrivacyAccounting
import PrivacyAudit
import PrivateLearning
import StandardPlugins

/// Public bounds of the Wisconsin measurements (pipelines/breast_cancer.yaml), for [−1, 1] scaling.
let breastCancerBounds: [(Float, Float)] = [
    (6, 30), (9, 40), (40, 190), (140, 2510), (0.05, 0.17), (0.01, 0.35), (0, 0.43), (0, 0.21), (0.1, 0.31),
    (0.04, 0.1), (0.1, 2.9), (0.3, 4.9), (0.7, 22), (6, 550), (0.001, 0.032), (0.002, 0.14), (0, 0.4),
    (0, 0.053), (0.007, 0.08), (0.0008, 0.03), (7, 37), (12, 50), (50, 252), (180, 4300), (0.07, 0.23),
    (0.02, 1.06), (0, 1.26), (0, 0.3), (0.15, 0.67), (0.05, 0.21),
]

func loadBreastCancer(_ path: String) -> (Tensor, Tensor)? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    var x = [Float](), y = [Float]()
    for line in text.split(whereSeparator: \.isNewline).dropFirst() {
        let cells = line.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard cells.count == 31 else { continue }
        for (j, (lo, hi)) in breastCancerBounds.enumerated() { x.append(2 * (min(max(cells[j], lo), hi) - lo) / (hi - lo) - 1) }
        y.append(cells[30])
    }
    return (Tensor(shape: [y.count, 30], values: x), Tensor(shape: [y.count, 1], values: y))
}

func audit(inputs: Int, sigma: Double, clip: Double, epochs: Int, seed: UInt64) -> MembershipAudit {
    var audit = MembershipAudit(
        configuration: MembershipAuditConfiguration(l2NormClip: clip, noiseMultiplier: sigma, batchSize: 16,
                                                    epochs: epochs, delta: 1e-5, seed: seed),
        loss: BinaryCrossentropy(fromLogits: true),
        makeOptimizer: { Adam(learningRate: 0.01) },
        makeModel: { seed in try Sequential(inputShape: [inputs], layers: [Dense(64, activation: .relu), Dense(1)], seed: seed) })
    var registry = PluginRegistry()
    try? StandardPlugins.register(into: &registry)   // Dense's norm sampler
    audit.registry = registry
    return audit
}

func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = Date()
    let value = try body()
    return (value, Date().timeIntervalSince(start))
}

do {
    let g = SeededRandomSource(seed: 1)
    var gen = g
    let n = 400
    let sx = Tensor(shape: [n, 20], values: (0..<(n * 20)).map { _ in Float(GaussianSampling.standardNormal(using: &gen)) })
    let sy = Tensor(shape: [n, 1], values: (0..<n).map { _ in Float(g.next() & 1) })
    print("== synthetic: \(n) examples, 20 features, random labels (memorisation only)")
    for (sigma, clip, epochs) in [(0.0, 1e6, 200), (0.5, 1.0, 30), (1.0, 1.0, 30), (2.0, 1.0, 30)] {
        let (r, t) = try timed { try audit(inputs: 20, sigma: sigma, clip: clip, epochs: epochs, seed: 7).run(features: sx, labels: sy) }
        print(r.summary)
        print(String(format: "  (%.2f s)", t))
    }
    let path = CommandLine.arguments.dropFirst().first ?? "pipelines/data/breast_cancer.csv"
    if let (bx, by) = loadBreastCancer(path) {
        print("== breast cancer: \(bx.rows) examples, public bounds")
        for (sigma, clip, epochs) in [(0.0, 1e6, 200), (1.0, 1.0, 30)] {
            let (r, t) = try timed { try audit(inputs: 30, sigma: sigma, clip: clip, epochs: epochs, seed: 7).run(features: bx, labels: by) }
            print(r.summary)
            print(String(format: "  (%.2f s)", t))
        }
    } else {
        print("== breast cancer: \(path) not found (pass the CSV path as the first argument)")
    }
    print("== bound computation on 100,000 + 100,000 Gaussian scores (μ = 1)")
    let members = (0..<100_000).map { _ in GaussianSampling.standardNormal(using: &gen) + 1 }
    let nonMembers = (0..<100_000).map { _ in GaussianSampling.standardNormal(using: &gen) }
    let (roc, tRoc) = try timed { try ROCCurve(memberScores: members, nonMemberScores: nonMembers) }
    let (cp, tCP) = try timed { try EmpiricalEpsilon.lowerBound(roc: roc, delta: 1e-5) }
    let (one, tOne) = try timed { try OneRunEpsilon.lowerBound(memberScores: members, nonMemberScores: nonMembers, delta: 1e-5) }
    print(String(format: "  AUC %.4f (%.3f s); CP ε ≥ %.4f (%.3f s); one-run ε ≥ %.4f (%.3f s)",
                 roc.auc, tRoc, cp.epsilon, tCP, one.epsilon, tOne))
} catch {
    print("audit-bench: \(error)")
    exit(1)
}
