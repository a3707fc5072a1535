import Foundation
import PrivateLearning
import StandardPlugins
import Testing

/// Issue 11, item 8: the clipped per-example gradient never exceeds C, even after Float rounding.
@Suite("DP-SGD: clip factors bound the clipped norm")
struct ClipBoundTests {
    /// ‖f·g‖ in Double of the Float products f·g_j (what the clipped sum is built from).
    static func clippedNorm(_ g: [Float], _ f: Float) -> Double {
        g.reduce(0.0) { s, v in let p = Double(f * v); return s + p * p }.squareRoot()
    }

    /// Squared norm as a layer computes it: a Float sum of squares.
    static func floatSquaredNorm(_ g: [Float]) -> Float { g.reduce(Float(0)) { $0 + $1 * $1 } }

    @Test("random gradients with random scales and clip norms: clipped norm ≤ C")
    func randomGradients() {
        let rng = SeededRandomSource(seed: 8)
        var naiveViolations = 0
        let clips: [Double] = [1, 0.1, 3.7, 1e-3, 0.7071067811865476, 12345.678]
        for trial in 0..<20_000 {
            let n = 1 + Int(rng.next() % 48)
            let scale = Float(pow(2.0, Double(Int(rng.next() % 20)) - 10))
            let g = (0..<n).map { _ in Float(Int(rng.next() % 20_001) - 10_000) / 10_000 * scale }
            let c = clips[trial % clips.count]
            let s = Self.floatSquaredNorm(g)
            let f = ClipFactor.factor(squaredNorm: Double(s), clip: c)
            #expect(f >= 0 && f <= 1)
            let clipped = Self.clippedNorm(g, f)
            if clipped > c { Issue.record("trial \(trial): clipped norm \(clipped) > C = \(c) (n = \(n))"); break }
            // The textbook Float formula, for comparison: it does overshoot on some of these inputs.
            let norm = s.squareRoot(), cf = Float(c)
            let naive: Float = norm > cf ? cf / norm : 1
            if Self.clippedNorm(g, naive) > c { naiveViolations += 1 }
        }
        #expect(naiveViolations > 0, "the search must contain cases where min(1, C/‖g‖) in Float exceeds C")
    }

    @Test("edge cases: ‖g‖ = C, C·(1 ± ulp), one-coordinate gradients, huge and tiny norms, NaN")
    func edgeCases() {
        for c in [1.0, 0.1, 3.0, 1e-15, 1e15] {   // C² must be a normal Float
            let cf = Float(c)
            var candidates: [[Float]] = []
            for v in [cf, cf.nextUp, cf.nextDown, cf.nextUp.nextUp, cf * 1.0000001, cf * 0.9999999] {
                candidates.append([v])
                candidates.append([v / 2.0.squareRoot().asFloat, v / 2.0.squareRoot().asFloat])
                candidates.append([0, v, 0])
                candidates.append([-v])
            }
            for g in candidates {
                let f = ClipFactor.factor(squaredNorm: Double(Self.floatSquaredNorm(g)), clip: c)
                #expect(Self.clippedNorm(g, f) <= c, "g = \(g), C = \(c), f = \(f)")
            }
        }
        #expect(ClipFactor.factor(squaredNorm: .nan, clip: 1) == 0)
        #expect(ClipFactor.factor(squaredNorm: .infinity, clip: 1) == 0)
        #expect(ClipFactor.factor(squaredNorm: 0, clip: 1) == 1)
        #expect(ClipFactor.factor(squaredNorm: 0.25, clip: 1) == 1)
        let big = ClipFactor.factor(squaredNorm: 1e76, clip: 1)
        #expect(big > 0 && Double(big) * 1e38 <= 1)
    }

    @Test("a whole DP step with zero noise: one example's clipped gradient has norm ≤ C")
    func stepBound() throws {
        let model = try Sequential(inputShape: [6], seed: 3) {
            Dense(5, activation: .tanh)
            Dense(1)
        }
        let c = 0.3
        let dp = try PrivateModel(model: model, l2NormClip: c, noiseMultiplier: 0, noise: .seeded(1), lossTracking: .off)
        dp.compile(optimizer: SGD(), loss: MeanSquaredError())
        let rng = SeededRandomSource(seed: 4)
        for _ in 0..<200 {
            let x = Tensor(shape: [1, 6], values: (0..<6).map { _ in Float(Int(rng.next() % 2001) - 1000) / 100 })
            let y = Tensor(shape: [1, 1], values: [Float(Int(rng.next() % 2001) - 1000) / 10])
            let g = try dp.privatizedGradients(features: x, labels: y, expectedBatchSize: 1).gradients
            let norm = g.flatMap(\.storage).reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(norm <= c, "clipped norm \(norm) > C = \(c)")
        }
    }
}

private extension Double {
    var asFloat: Float { Float(self) }
}
