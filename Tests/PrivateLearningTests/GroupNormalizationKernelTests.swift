import DPTestSupport
import PrivateLearning
import Testing

/// Group normalisation kernels: statistics per example and group, gradients by finite
/// differences, weighted parameter gradients and per-example / per-unit norms.
@Suite struct GroupNormalizationKernelTests {
    static let batch = 3, positions = 4, channels = 6, groups = 3
    static let x = Fixtures.gaussian(shape: [batch, positions, channels], seed: 21, scale: 2).storage
    static let gamma = Fixtures.gaussian(shape: [channels], seed: 22).storage
    static let beta = Fixtures.gaussian(shape: [channels], seed: 23).storage
    static let gy = Fixtures.gaussian(shape: [batch, positions, channels], seed: 24).storage

    static func loss(_ x: [Float], _ gamma: [Float], _ beta: [Float]) -> Double {
        let y = GroupNormalizationKernels.forward(x, batch: batch, positions: positions, channels: channels, groups: groups,
                                                  epsilon: 1e-3, gamma: gamma, beta: beta).output
        return zip(y, gy).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    static func central(_ v: [Float], h: Float, _ f: ([Float]) -> Double) -> [Float] {
        v.indices.map { i in var p = v, m = v; p[i] += h; m[i] -= h; return Float((f(p) - f(m)) / Double(2 * h)) }
    }

    @Test func eachExampleGroupIsNormalised() {
        let saved = GroupNormalizationKernels.forward(Self.x, batch: Self.batch, positions: Self.positions, channels: Self.channels,
                                                      groups: Self.groups, epsilon: 1e-3, gamma: nil, beta: nil).saved
        let cpg = Self.channels / Self.groups
        for b in 0..<Self.batch { for g in 0..<Self.groups {
            let v = (0..<Self.positions).flatMap { t in (0..<cpg).map { saved.normalized[(b * Self.positions + t) * Self.channels + g * cpg + $0] } }
            let mean = v.reduce(0, +) / Float(v.count)
            let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(v.count)
            #expect(abs(mean) < 1e-5)
            #expect(abs(variance - 1) < 2e-3)   // ε = 1e-3 against a variance of ~4
        } }
    }

    @Test func gradientsMatchFiniteDifferences() {
        let saved = GroupNormalizationKernels.forward(Self.x, batch: Self.batch, positions: Self.positions, channels: Self.channels,
                                                      groups: Self.groups, epsilon: 1e-3, gamma: Self.gamma, beta: Self.beta).saved
        let dx = GroupNormalizationKernels.inputGradient(Self.gy, saved: saved, batch: Self.batch, positions: Self.positions,
                                                         channels: Self.channels, groups: Self.groups, gamma: Self.gamma)
        assertClose(dx, Self.central(Self.x, h: 1e-2) { Self.loss($0, Self.gamma, Self.beta) }, rtol: 2e-2, atol: 2e-2, "dx")
        let grads = GroupNormalizationKernels.parameterGradients(Self.gy, saved: saved, batch: Self.batch, positions: Self.positions,
                                                                 channels: Self.channels, scale: true, center: true, exampleWeights: nil)
        assertClose(grads.gamma!, Self.central(Self.gamma, h: 0.5) { Self.loss(Self.x, $0, Self.beta) }, rtol: 1e-3, atol: 1e-3, "dgamma")
        assertClose(grads.beta!, Self.central(Self.beta, h: 0.5) { Self.loss(Self.x, Self.gamma, $0) }, rtol: 1e-3, atol: 1e-3, "dbeta")
    }

    @Test(arguments: [nil, [1, 0, 1]] as [[Int]?])
    func weightsAndNormsMatchOneExampleGradients(units: [Int]?) {
        let (b, p, c) = (Self.batch, Self.positions, Self.channels)
        let saved = GroupNormalizationKernels.forward(Self.x, batch: b, positions: p, channels: c, groups: Self.groups,
                                                      epsilon: 1e-3, gamma: Self.gamma, beta: Self.beta).saved
        var perExample: [[Float]] = []
        for i in 0..<b {
            let one = [Float](repeating: 0, count: b).enumerated().map { $0.offset == i ? Float(1) : 0 }
            let g = GroupNormalizationKernels.parameterGradients(Self.gy, saved: saved, batch: b, positions: p, channels: c,
                                                                 scale: true, center: true, exampleWeights: one)
            perExample.append(g.gamma! + g.beta!)
        }
        let w: [Float] = [0.5, 2, 0]
        let weighted = GroupNormalizationKernels.parameterGradients(Self.gy, saved: saved, batch: b, positions: p, channels: c,
                                                                    scale: true, center: true, exampleWeights: w)
        let expectedWeighted = (0..<(2 * c)).map { j in (0..<b).reduce(Float(0)) { $0 + w[$1] * perExample[$1][j] } }
        assertClose(weighted.gamma! + weighted.beta!, expectedWeighted, rtol: 1e-5, atol: 1e-5)
        let unitCount = units.map { $0.max()! + 1 } ?? b
        let expected = (0..<unitCount).map { u -> Float in
            let sum = (0..<(2 * c)).map { j in (0..<b).filter { (units?[$0] ?? $0) == u }.reduce(Float(0)) { $0 + perExample[$1][j] } }
            return sum.reduce(0) { $0 + $1 * $1 }
        }
        let norms = GroupNormalizationKernels.squaredGradientNorms(Self.gy, saved: saved, batch: b, positions: p, channels: c,
                                                                   scale: true, center: true, units: units, unitCount: unitCount)
        assertClose(norms, expected, rtol: 1e-5, atol: 1e-5)
    }
}
