import DPTestSupport
import PrivateLearning
import Testing

/// Pooling kernels: backward passes against finite differences (max pooling is linear between
/// switches, so small steps on distinct random values are exact up to rounding).
@Suite struct PoolingKernelTests {
    static func dot(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }

    static func finiteDifferences(_ x: [Float], h: Float = 1e-3, _ f: ([Float]) -> Double) -> [Float] {
        x.indices.map { i in
            var p = x, m = x
            p[i] += h; m[i] -= h
            return Float((f(p) - f(m)) / Double(2 * h))
        }
    }

    @Test(arguments: [ConvolutionPadding.same, .valid])
    func windowedPoolingGradients(padding: ConvolutionPadding) throws {
        let batch = 2
        for (size, pool, strides) in [([6, 5], [3, 2], [2, 2]), ([7], [2], [1]), ([5, 5], [2, 2], [1, 1])] {
            let g = try ConvolutionGeometry(inputSize: size, channels: 3, kernelSize: pool, strides: strides, padding: padding)
            let x = Fixtures.gaussian(shape: [batch] + size + [3], seed: 11).storage
            let gy = Fixtures.gaussian(shape: [batch * g.outputPositions * 3], seed: 12).storage
            let (_, winners) = PoolingKernels.maxForward(x, batch: batch, geometry: g)
            let dxMax = PoolingKernels.maxBackward(gy, winners: winners, inputCount: x.count)
            let fdMax = Self.finiteDifferences(x) { Self.dot(PoolingKernels.maxForward($0, batch: batch, geometry: g).output, gy) }
            assertClose(dxMax, fdMax, rtol: 1e-2, atol: 1e-2, "max \(size) \(padding)")
            let dxAvg = PoolingKernels.averageBackward(gy, batch: batch, geometry: g)
            let fdAvg = Self.finiteDifferences(x, h: 0.5) { Self.dot(PoolingKernels.averageForward($0, batch: batch, geometry: g), gy) }
            assertClose(dxAvg, fdAvg, rtol: 1e-3, atol: 1e-3, "average \(size) \(padding)")
        }
    }

    @Test func averagePoolingExcludesPaddingLikeKeras() throws {
        // 3 values, pool 2, stride 2, same: windows {0,1} and {2} → means 1.5 and 3 (not 1.5).
        let g = try ConvolutionGeometry(inputSize: [3], channels: 1, kernelSize: [2], strides: [2], padding: .same)
        #expect(PoolingKernels.averageForward([1, 2, 3], batch: 1, geometry: g) == [1.5, 3])
        #expect(PoolingKernels.maxForward([1, -2, -3], batch: 1, geometry: g).output == [1, -3])
    }

    @Test func globalPoolingGradients() {
        let batch = 3, positions = 5, channels = 2
        let x = Fixtures.gaussian(shape: [batch, positions, channels], seed: 13).storage
        let gy = Fixtures.gaussian(shape: [batch, channels], seed: 14).storage
        let avg = PoolingKernels.globalAverageForward(x, batch: batch, positions: positions, channels: channels)
        #expect(abs(avg[1] - (0..<positions).map { x[$0 * channels + 1] }.reduce(0, +) / Float(positions)) < 1e-6)
        let dAvg = PoolingKernels.globalAverageBackward(gy, batch: batch, positions: positions, channels: channels)
        assertClose(dAvg, Self.finiteDifferences(x, h: 0.5) {
            Self.dot(PoolingKernels.globalAverageForward($0, batch: batch, positions: positions, channels: channels), gy)
        }, rtol: 1e-3, atol: 1e-3)
        let (mx, winners) = PoolingKernels.globalMaxForward(x, batch: batch, positions: positions, channels: channels)
        #expect(mx[0] == (0..<positions).map { x[$0 * channels] }.max())
        let dMax = PoolingKernels.maxBackward(gy, winners: winners, inputCount: x.count)
        assertClose(dMax, Self.finiteDifferences(x) {
            Self.dot(PoolingKernels.globalMaxForward($0, batch: batch, positions: positions, channels: channels).output, gy)
        }, rtol: 1e-2, atol: 1e-2)
    }
}
