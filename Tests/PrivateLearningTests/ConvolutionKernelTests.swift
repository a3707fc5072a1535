import DPTestSupport
import PrivateLearning
import Testing

/// Convolution kernels: geometry, im2col adjointness, gradients by finite differences, and
/// per-example / per-unit norms (ghost == direct == one-example loop).
@Suite struct ConvolutionKernelTests {
    /// Σ y·gy for a convolution, in Double (the loss whose gradients the kernels return).
    static func loss(_ x: [Float], _ kernel: [Float], _ bias: [Float]?, _ gy: [Float], batch: Int,
                     _ g: ConvolutionGeometry, filters: Int) -> Double {
        let cols = Im2Col.unfold(x, batch: batch, geometry: g)
        let y = ConvolutionKernels.forward(columns: cols, batch: batch, geometry: g, kernel: kernel, bias: bias, filters: filters)
        return zip(y, gy).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    @Test func kerasGeometry() throws {
        // same: ⌈n/s⌉ outputs, total padding split with the extra after.
        let g = try ConvolutionGeometry(inputSize: [28, 28], channels: 1, kernelSize: [8, 8], strides: [2, 2], padding: .same)
        #expect(g.outputSize == [14, 14])
        #expect(g.paddingBefore == [3, 3])   // total (13·2 + 8 − 28) = 6
        let v = try ConvolutionGeometry(inputSize: [13, 13], channels: 16, kernelSize: [4, 4], strides: [2, 2], padding: .valid)
        #expect(v.outputSize == [5, 5])
        #expect(v.patchSize == 256)
        let d = try ConvolutionGeometry(inputSize: [10], channels: 2, kernelSize: [3], strides: [1], padding: .valid, dilation: [2])
        #expect(d.outputSize == [6])
        let e = try ConvolutionGeometry(inputSize: [9], channels: 3, kernelSize: [4], strides: [2], padding: .same)
        #expect(e.outputSize == [5] && e.paddingBefore == [1])   // total 4·2 + 4 − 9 = 3
    }

    @Test func geometryRefusesBadShapesWithoutTrapping() {
        #expect(throws: ConvolutionGeometryError.windowLargerThanInput(axis: 0, inputSize: 3, effectiveKernel: 5)) {
            try ConvolutionGeometry(inputSize: [3], channels: 1, kernelSize: [3], strides: [1], padding: .valid, dilation: [2])
        }
        #expect(throws: ConvolutionGeometryError.nonPositive(name: "strides", axis: 1)) {
            try ConvolutionGeometry(inputSize: [4, 4], channels: 1, kernelSize: [2, 2], strides: [1, 0], padding: .same)
        }
        #expect(throws: ConvolutionGeometryError.self) {
            try ConvolutionGeometry(inputSize: [Int.max, Int.max], channels: Int.max, kernelSize: [Int.max, 3],
                                    strides: [1, 1], padding: .same, dilation: [Int.max, 1])
        }
        #expect(throws: ConvolutionGeometryError.self) {
            try ConvolutionGeometry(inputSize: [1 << 20, 1 << 20], channels: 3, kernelSize: [3, 3], strides: [1, 1], padding: .same)
        }
        #expect(throws: ConvolutionGeometryError.unsupportedRank(3)) {
            try ConvolutionGeometry(inputSize: [2, 2, 2], channels: 1, kernelSize: [1, 1, 1], strides: [1, 1, 1], padding: .same)
        }
    }

    /// ⟨unfold(x), c⟩ = ⟨x, fold(c)⟩ for random x and c: col2im is im2col's adjoint.
    @Test(arguments: [ConvolutionPadding.same, .valid])
    func col2imIsTheAdjointOfIm2col(padding: ConvolutionPadding) throws {
        let g = try ConvolutionGeometry(inputSize: [7, 6], channels: 3, kernelSize: [3, 2], strides: [2, 1],
                                        padding: padding, dilation: [1, 2])
        let x = Fixtures.gaussian(shape: [2, 7, 6, 3], seed: 1).storage
        let c = Fixtures.gaussian(shape: [2 * g.outputPositions * g.patchSize], seed: 2).storage
        let lhs = zip(Im2Col.unfold(x, batch: 2, geometry: g), c).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        let rhs = zip(x, Im2Col.fold(c, batch: 2, geometry: g)).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        #expect(abs(lhs - rhs) <= 1e-4 * max(1, abs(lhs)))
    }

    /// The loss is linear in x and in the kernel, so central differences are exact up to rounding.
    @Test(arguments: [ConvolutionPadding.same, .valid])
    func gradientsMatchFiniteDifferences(padding: ConvolutionPadding) throws {
        let batch = 2, filters = 3
        let g = try ConvolutionGeometry(inputSize: [5, 6], channels: 2, kernelSize: [3, 3], strides: [2, 1],
                                        padding: padding, dilation: [1, 2])
        let x = Fixtures.gaussian(shape: [batch, 5, 6, 2], seed: 3).storage
        let k = Fixtures.gaussian(shape: [g.patchSize * filters], seed: 4, scale: 0.5).storage
        let b = Fixtures.gaussian(shape: [filters], seed: 5).storage
        let gy = Fixtures.gaussian(shape: [batch * g.outputPositions * filters], seed: 6).storage
        let cols = Im2Col.unfold(x, batch: batch, geometry: g)
        let dx = ConvolutionKernels.inputGradient(outputGradient: gy, batch: batch, geometry: g, kernel: k, filters: filters)
        let grads = ConvolutionKernels.parameterGradients(columns: cols, outputGradient: gy, batch: batch, geometry: g,
                                                          filters: filters, exampleWeights: nil, includeBias: true)
        let h: Float = 0.5
        func central(_ f: (Float) -> Double) -> Float { Float((f(h) - f(-h)) / Double(2 * h)) }
        let fdX = x.indices.map { i in central { e in var xx = x; xx[i] += e; return Self.loss(xx, k, b, gy, batch: batch, g, filters: filters) } }
        let fdK = k.indices.map { i in central { e in var kk = k; kk[i] += e; return Self.loss(x, kk, b, gy, batch: batch, g, filters: filters) } }
        let fdB = b.indices.map { i in central { e in var bb = b; bb[i] += e; return Self.loss(x, k, bb, gy, batch: batch, g, filters: filters) } }
        assertClose(dx, fdX, rtol: 1e-3, atol: 1e-3, "dx")
        assertClose(grads.kernel, fdK, rtol: 1e-3, atol: 1e-3, "dK")
        assertClose(grads.bias ?? [], fdB, rtol: 1e-3, atol: 1e-3, "db")
    }

    /// Weighted sums equal Σ_i w_i (one-example gradient).
    @Test func exampleWeightsGiveTheWeightedSumOfOneExampleGradients() throws {
        let batch = 3, filters = 2
        let g = try ConvolutionGeometry(inputSize: [9], channels: 3, kernelSize: [4], strides: [2], padding: .same)
        let x = Fixtures.gaussian(shape: [batch, 9, 3], seed: 7).storage
        let gy = Fixtures.gaussian(shape: [batch * g.outputPositions * filters], seed: 8).storage
        let w: [Float] = [0.25, 0, 2]
        let cols = Im2Col.unfold(x, batch: batch, geometry: g)
        let weighted = ConvolutionKernels.parameterGradients(columns: cols, outputGradient: gy, batch: batch, geometry: g,
                                                             filters: filters, exampleWeights: w, includeBias: true)
        var kSum = [Float](repeating: 0, count: g.patchSize * filters), bSum = [Float](repeating: 0, count: filters)
        for i in 0..<batch {
            let one = Self.oneExample(cols, gy, i, g, filters)
            for j in kSum.indices { kSum[j] += w[i] * one.kernel[j] }
            for j in bSum.indices { bSum[j] += w[i] * one.bias![j] }
        }
        assertClose(weighted.kernel, kSum, rtol: 1e-5, atol: 1e-5)
        assertClose(weighted.bias!, bSum, rtol: 1e-5, atol: 1e-5)
    }

    /// Example `i`'s own gradient, computed on a batch of one.
    static func oneExample(_ cols: [Float], _ gy: [Float], _ i: Int, _ g: ConvolutionGeometry, _ filters: Int)
        -> (kernel: [Float], bias: [Float]?) {
        let p = g.outputPositions, d = g.patchSize
        return ConvolutionKernels.parameterGradients(
            columns: Array(cols[(i * p * d)..<((i + 1) * p * d)]), outputGradient: Array(gy[(i * p * filters)..<((i + 1) * p * filters)]),
            batch: 1, geometry: g, filters: filters, exampleWeights: nil, includeBias: true)
    }

    /// Ghost, direct and automatic norms equal the norms of materialised one-example gradients,
    /// per example and per privacy unit (C1: the norm of the unit's summed gradient).
    @Test(arguments: [nil, [0, 1, 0, 2, 1], [3, 2, 1, 0, 0]] as [[Int]?])
    func ghostEqualsDirectEqualsOneExampleLoop(units: [Int]?) throws {
        let batch = 5, filters = 4
        for (shape, kernel, strides, padding) in [([6, 5], [3, 3], [1, 2], ConvolutionPadding.same),
                                                  ([8], [3], [1], .valid)] {
            let channels = 2
            let g = try ConvolutionGeometry(inputSize: shape, channels: channels, kernelSize: kernel, strides: strides, padding: padding)
            let x = Fixtures.gaussian(shape: [batch] + shape + [channels], seed: 9).storage
            let gy = Fixtures.gaussian(shape: [batch * g.outputPositions * filters], seed: 10).storage
            let cols = Im2Col.unfold(x, batch: batch, geometry: g)
            let unitCount = units.map { ($0.max() ?? -1) + 1 } ?? batch
            var expected = [Float](repeating: 0, count: unitCount)
            for u in 0..<unitCount {
                var k = [Float](repeating: 0, count: g.patchSize * filters), b = [Float](repeating: 0, count: filters)
                for i in 0..<batch where (units?[i] ?? i) == u {
                    let one = Self.oneExample(cols, gy, i, g, filters)
                    for j in k.indices { k[j] += one.kernel[j] }
                    for j in b.indices { b[j] += one.bias![j] }
                }
                expected[u] = (k + b).reduce(0) { $0 + $1 * $1 }
            }
            for method in ConvolutionKernels.NormMethod.allCases {
                let norms = ConvolutionKernels.squaredGradientNorms(columns: cols, outputGradient: gy, batch: batch, geometry: g,
                                                                    filters: filters, includeBias: true, units: units,
                                                                    unitCount: unitCount, method: method)
                assertClose(norms, expected, rtol: 1e-4, atol: 1e-4, "\(method) \(shape)")
            }
        }
    }

    @Test func mixedGhostClippingChoosesTheCheaperPath() {
        // Tutorial CNN: conv1 (196 positions, D 64, F 16) direct; conv2 (25 positions, D 256, F 32) ghost.
        #expect(!ConvolutionKernels.prefersGhostNorm(rows: 196, patchSize: 64, filters: 16))
        #expect(ConvolutionKernels.prefersGhostNorm(rows: 25, patchSize: 256, filters: 32))
    }
}
