// accounting-bench: wall-clock timings of the privacy accountants (run in release:
// `swift run -c release accounting-bench`). Compare with scripts/accounting/bench_dp_accounting.py.
import Foundation
import PrivacyAccounting

/// Median and minimum wall time of `body` over `repeats` runs, after one warm-up run.
func measure(_ name: String, repeats: Int, _ body: () throws -> Double) rethrows {
    var value = try body()
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        value = try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    times.sort()
    let median = times[times.count / 2]
    let pad = name.padding(toLength: 58, withPad: " ", startingAt: 0)
    print("\(pad) median \(String(format: "%9.3f", median)) ms  min \(String(format: "%9.3f", times[0])) ms  (result \(value))")
}

print("accounting-bench (\(ProcessInfo.processInfo.processorCount) cores visible)")
try measure("RDP ε, q=0.01 σ=1.1, 1e6 steps, δ=1e-5", repeats: 200) {
    try epsilon(samplingRate: 0.01, noiseMultiplier: 1.1, steps: 1_000_000, delta: 1e-5)
}
try measure("RDP ε, q=4e-5 σ=1.2, 5e5 steps (op_tensorflow docs)", repeats: 200) {
    try epsilon(samplingRate: 4e-5, noiseMultiplier: 1.2, steps: 500_000, delta: 1e-5)
}
try measure("RDP ε, q=0.5 σ=0.8, 1e6 steps (slow-converging series)", repeats: 50) {
    try epsilon(samplingRate: 0.5, noiseMultiplier: 0.8, steps: 1_000_000, delta: 1e-5)
}
try measure("RDP calibration σ for ε=3, MNIST 60 epochs", repeats: 20) {
    try calibrateNoiseMultiplier(targetEpsilon: 3, delta: 1e-5, examples: 60000, batchSize: 256, epochs: 60)
}
try measure("PLD ε, q=0.01 σ=1.1, 1e4 steps, d=1e-4", repeats: 5) {
    try epsilon(samplingRate: 0.01, noiseMultiplier: 1.1, steps: 10_000, delta: 1e-5, accountant: .pld)
}
try measure("PLD ε, MNIST q=256/60000 σ=1.1, 14063 steps", repeats: 5) {
    try epsilon(samplingRate: 256.0 / 60000, noiseMultiplier: 1.1, steps: 14063, delta: 1e-5, accountant: .pld)
}
try measure("PLD calibration σ for ε=3, MNIST 60 epochs", repeats: 2) {
    try calibrateNoiseMultiplier(targetEpsilon: 3, delta: 1e-5, examples: 60000, batchSize: 256, epochs: 60,
                                 accountant: .pld)
}
let intOrders = RDPAccountant.defaultOrders.filter { $0 == $0.rounded() }
let fracOrders = RDPAccountant.defaultOrders.filter { $0 != $0.rounded() }
measure("  integer orders only, q=0.01 σ=1.1", repeats: 200) {
    RDPAccountant.subsampledGaussianCurve(samplingRate: 0.01, noiseMultiplier: 1.1, orders: intOrders).last!
}
measure("  fractional orders only, q=0.01 σ=1.1", repeats: 200) {
    RDPAccountant.subsampledGaussianCurve(samplingRate: 0.01, noiseMultiplier: 1.1, orders: fracOrders).last!
}
measure("  fractional orders only, q=4e-5 σ=1.2", repeats: 200) {
    RDPAccountant.subsampledGaussianCurve(samplingRate: 4e-5, noiseMultiplier: 1.2, orders: fracOrders).last!
}
try measure("PLD ε, op_tensorflow docs (5e5 steps), d=1e-4", repeats: 3) {
    try PLDAccountant(discretization: 1e-4).epsilon(for: .dpsgd(samplingRate: 4e-5, noiseMultiplier: 1.2, steps: 500_000), delta: 1e-5)
}
try measure("PLD ε, op_tensorflow docs (5e5 steps), d=1e-5", repeats: 3) {
    try PLDAccountant(discretization: 1e-5).epsilon(for: .dpsgd(samplingRate: 4e-5, noiseMultiplier: 1.2, steps: 500_000), delta: 1e-5)
}
