import DPTestSupport
import Foundation
import PrivateLearning
import StandardPlugins
import Testing

/// Records the learning rate of every update and leaves the parameters unchanged but for a fixed shift,
/// so that the parameter sequence a hook sees is known.
private final class RecordingOptimizer: Optimizer, LearningRateAdjustable {
    var typeName: String { "recording" }
    var configuration: PluginParameters { [:] }
    var adjustableLearningRate: Double = 0.5
    var seen: [Double] = []
    func update(parameters: inout [Tensor], gradients: [Tensor]) {
        seen.append(adjustableLearningRate)
        for k in parameters.indices {
            for i in parameters[k].storage.indices { parameters[k].storage[i] += 1 }
        }
    }
}

/// Keeps every parameter list it is given (to check what the loop hands to hooks).
private final class Recorder: TrainingStepHook {
    var steps: [Int] = []
    var first: [Float] = []
    func didUpdate(step: Int, parameters: [Tensor]) {
        steps.append(step)
        first.append(parameters[0].storage[0])
    }
}

@Suite("Training recipes: EMA of the parameters, learning-rate schedules")
struct TrainingRecipeTests {
    /// The textbook EMA in Double: avg₁ = θ₁; avg_t = β_t·avg_{t−1} + (1 − β_t)·θ_t, β_t = min(decay, (1+t)/(10+t)).
    static func referenceEMA(_ sequence: [[Double]], decay: Double) -> [Double] {
        var avg = sequence[0]
        for t in 2...max(sequence.count, 2) where t <= sequence.count {
            let beta = min(decay, Double(1 + t) / Double(10 + t))
            avg = zip(avg, sequence[t - 1]).map { beta * $0 + (1 - beta) * $1 }
        }
        return avg
    }

    @Test("EMA equals the reference implementation on a fixed sequence", arguments: [0.9, 0.99, 0.999])
    func emaMatchesReference(decay: Double) {
        // A fixed, irregular sequence of 200 parameter vectors of two tensors (3 and 2 values).
        let sequence: [[Double]] = (0..<200).map { t in
            let x = Double(t)
            return [sin(x * 0.37), cos(x * 0.11) * 3, x / 50, (x.truncatingRemainder(dividingBy: 7)) - 3, exp(-x / 40)]
        }
        let ema = ParameterAverage(decay: decay)
        for (t, v) in sequence.enumerated() {
            let params = [Tensor(shape: [3], values: v[0..<3].map(Float.init)), Tensor(shape: [1, 2], values: v[3..<5].map(Float.init))]
            ema.didUpdate(step: t + 1, parameters: params)
        }
        let reference = Self.referenceEMA(sequence, decay: decay)
        let got = ema.average.flatMap(\.storage).map(Double.init)
        #expect(got.count == 5)
        for (g, r) in zip(got, reference) { #expect(abs(g - r) < 1e-5, "EMA \(g) vs reference \(r)") }
        #expect(ema.updates == 200)
        // It is an average, not the last iterate.
        #expect(abs(got[2] - sequence.last![2]) > 0.01)
    }

    @Test("β_t warms up as (1+t)/(10+t) and saturates at the decay")
    func emaWeights() {
        let ema = ParameterAverage(decay: 0.99)
        #expect(abs(ema.weight(ofPastAtUpdate: 1) - 2.0 / 11) < 1e-15)
        #expect(abs(ema.weight(ofPastAtUpdate: 100) - 101.0 / 110) < 1e-15)
        #expect(ema.weight(ofPastAtUpdate: 10_000) == 0.99)
    }

    @Test("warm-up + cosine: linear ramp, base at the end of warm-up, final factor at the last step")
    func warmupCosine() {
        let s = WarmupCosineSchedule(warmupFraction: 0.1, finalFactor: 0.1)
        #expect(abs(s.learningRate(step: 0, base: 1, totalSteps: 100) - 0.1) < 1e-12)
        #expect(abs(s.learningRate(step: 9, base: 1, totalSteps: 100) - 1) < 1e-12)
        #expect(abs(s.learningRate(step: 10, base: 1, totalSteps: 100) - 1) < 1e-12)
        #expect(abs(s.learningRate(step: 99, base: 1, totalSteps: 100) - 0.1) < 1e-12)
        // Half-way through the decay: (0.1 + 0.9·0.5).
        let mid = 10 + 89 / 2
        let expected = 0.1 + 0.9 * 0.5 * (1 + cos(Double.pi * Double(mid - 10) / 89))
        #expect(abs(s.learningRate(step: mid, base: 1, totalSteps: 100) - expected) < 1e-12)
        // Monotone after warm-up; never negative, even for out-of-range steps.
        var last = Double.infinity
        for t in 10..<100 { let v = s.learningRate(step: t, base: 2, totalSteps: 100); #expect(v <= last + 1e-12); last = v }
        #expect(s.learningRate(step: -5, base: 1, totalSteps: 0) > 0)
    }

    @Test("step decay multiplies by the factor at each boundary")
    func stepDecay() {
        let s = StepDecaySchedule(boundaries: [0.5, 0.75], factor: 0.1)
        #expect(s.learningRate(step: 49, base: 1, totalSteps: 100) == 1)
        #expect(abs(s.learningRate(step: 50, base: 1, totalSteps: 100) - 0.1) < 1e-12)
        #expect(abs(s.learningRate(step: 99, base: 1, totalSteps: 100) - 0.01) < 1e-12)
    }

    @Test("fit applies the schedule to every step, calls hooks after every update, restores the base rate")
    func fitWiring() throws {
        let x = Fixtures.gaussian(shape: [40, 4], seed: 3), y = Fixtures.binaryLabels(40, seed: 4)
        let model = try Sequential(inputShape: [4], layers: [Dense(1, activation: .sigmoid)], seed: 1)
        let dp = try PrivateModel(model: model, l2NormClip: 1, noiseMultiplier: 1, noise: .seeded(5))
        let optimizer = RecordingOptimizer()
        dp.compile(optimizer: optimizer, loss: BinaryCrossentropy())
        let schedule = WarmupCosineSchedule(warmupFraction: 0.25, finalFactor: 0)
        dp.learningRateSchedule = schedule
        let recorder = Recorder(), ema = ParameterAverage(decay: 0.9)
        dp.stepHooks = [recorder, ema]
        let start = model.parameters[0].storage[0]
        let loader = try PoissonLoader(features: x, labels: y, batchSize: 10)
        let h = try dp.fit(loader, epochs: 2, targetDelta: 1e-5)
        let total = 2 * loader.stepsPerEpoch
        #expect(h.steps == total)
        #expect(optimizer.seen.count == total)
        for (t, lr) in optimizer.seen.enumerated() {
            #expect(abs(lr - schedule.learningRate(step: t, base: 0.5, totalSteps: total)) < 1e-12)
        }
        #expect(optimizer.adjustableLearningRate == 0.5)
        #expect(recorder.steps == Array(1...total))
        // The hook sees the parameters after each update: start + t.
        for (t, v) in recorder.first.enumerated() { #expect(abs(v - (start + Float(t + 1))) < 1e-4) }
        #expect(ema.updates == total)
        // Exporting the average replaces the last iterate.
        #expect(ema.copy(into: model))
        #expect(abs(model.parameters[0].storage[0] - (start + Float(total))) > 0.5)
    }

    @Test("a schedule with an optimizer that has no adjustable rate is refused")
    func scheduleNeedsAdjustableOptimizer() throws {
        let x = Fixtures.gaussian(shape: [20, 4], seed: 3), y = Fixtures.binaryLabels(20, seed: 4)
        let dp = try PrivateModel(model: try Sequential(inputShape: [4], layers: [Dense(1, activation: .sigmoid)], seed: 1),
                                  l2NormClip: 1, noiseMultiplier: 1, noise: .seeded(5))
        dp.compile(optimizer: FrozenOptimizer(), loss: BinaryCrossentropy())
        dp.learningRateSchedule = StepDecaySchedule()
        #expect(throws: PrivateLearningError.self) {
            _ = try dp.fit(try PoissonLoader(features: x, labels: y, batchSize: 5), epochs: 1, targetDelta: 1e-5)
        }
    }
}
