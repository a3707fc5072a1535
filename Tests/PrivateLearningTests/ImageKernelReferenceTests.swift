import DPTestSupport
import PrivateLearning
import Testing

/// The image kernels against Keras 3 (values made by scripts/reference/image_layers.py):
/// forward output, input gradient and parameter gradients of Σ y·gy.
@Suite struct ImageKernelReferenceTests {
    struct ConvolutionCase: Sendable, CustomTestStringConvertible {
        var name: String
        var kernel: [Int], strides: [Int], dilation: [Int], padding: ConvolutionPadding, filters: Int, bias: Bool
        var testDescription: String { name }
        var reference: ImageReferenceCase {
            switch name {
            case "conv2dSameStride2": return ImageReferenceValues.conv2dSameStride2
            case "conv2dValidDilated": return ImageReferenceValues.conv2dValidDilated
            case "conv2dEvenKernelSame": return ImageReferenceValues.conv2dEvenKernelSame
            case "conv1dSameStride2": return ImageReferenceValues.conv1dSameStride2
            default: return ImageReferenceValues.conv1dValidDilated
            }
        }
    }

    static let convolutions: [ConvolutionCase] = [
        .init(name: "conv2dSameStride2", kernel: [3, 3], strides: [2, 2], dilation: [1, 1], padding: .same, filters: 3, bias: true),
        .init(name: "conv2dValidDilated", kernel: [2, 3], strides: [1, 1], dilation: [2, 1], padding: .valid, filters: 2, bias: true),
        .init(name: "conv2dEvenKernelSame", kernel: [4, 2], strides: [1, 2], dilation: [1, 1], padding: .same, filters: 2, bias: false),
        .init(name: "conv1dSameStride2", kernel: [4], strides: [2], dilation: [1], padding: .same, filters: 2, bias: true),
        .init(name: "conv1dValidDilated", kernel: [3], strides: [1], dilation: [2], padding: .valid, filters: 3, bias: true),
    ]

    @Test(arguments: convolutions)
    func convolutionMatchesKeras(_ c: ConvolutionCase) throws {
        let r = c.reference
        let batch = r.inputShape[0]
        let g = try ConvolutionGeometry(inputSize: Array(r.inputShape.dropFirst().dropLast()), channels: r.inputShape.last!,
                                        kernelSize: c.kernel, strides: c.strides, padding: c.padding, dilation: c.dilation)
        #expect([batch] + g.outputShape(channels: c.filters) == r.outputShape)
        let cols = Im2Col.unfold(r.x, batch: batch, geometry: g)
        let y = ConvolutionKernels.forward(columns: cols, batch: batch, geometry: g, kernel: r.weights[0],
                                           bias: c.bias ? r.weights[1] : nil, filters: c.filters)
        assertClose(y, r.y, rtol: 1e-4, atol: 1e-5, "y")
        let dx = ConvolutionKernels.inputGradient(outputGradient: r.gy, batch: batch, geometry: g, kernel: r.weights[0], filters: c.filters)
        assertClose(dx, r.dx, rtol: 1e-4, atol: 1e-5, "dx")
        let grads = ConvolutionKernels.parameterGradients(columns: cols, outputGradient: r.gy, batch: batch, geometry: g,
                                                          filters: c.filters, exampleWeights: nil, includeBias: c.bias)
        assertClose(grads.kernel, r.weightGradients[0], rtol: 1e-4, atol: 1e-5, "dK")
        if c.bias { assertClose(grads.bias ?? [], r.weightGradients[1], rtol: 1e-4, atol: 1e-5, "db") }
    }

    enum PoolKind: String, Sendable { case max, average }

    static let pools: [(String, PoolKind, [Int], [Int], ConvolutionPadding)] = [
        ("maxPool2dValid", .max, [2, 2], [1, 1], .valid),
        ("maxPool2dSame", .max, [3, 3], [2, 2], .same),
        ("avgPool2dSame", .average, [3, 3], [2, 2], .same),
        ("avgPool2dValid", .average, [2, 3], [2, 3], .valid),
        ("maxPool1dSame", .max, [2], [2], .same),
        ("avgPool1dSame", .average, [4], [3], .same),
    ]

    static func reference(_ name: String) -> ImageReferenceCase {
        switch name {
        case "maxPool2dValid": return ImageReferenceValues.maxPool2dValid
        case "maxPool2dSame": return ImageReferenceValues.maxPool2dSame
        case "avgPool2dSame": return ImageReferenceValues.avgPool2dSame
        case "avgPool2dValid": return ImageReferenceValues.avgPool2dValid
        case "maxPool1dSame": return ImageReferenceValues.maxPool1dSame
        case "avgPool1dSame": return ImageReferenceValues.avgPool1dSame
        case "globalAvg2d": return ImageReferenceValues.globalAvg2d
        case "globalMax2d": return ImageReferenceValues.globalMax2d
        case "globalAvg1d": return ImageReferenceValues.globalAvg1d
        case "globalMax1d": return ImageReferenceValues.globalMax1d
        case "groupNorm2d": return ImageReferenceValues.groupNorm2d
        default: return ImageReferenceValues.groupNorm1dOneGroup
        }
    }

    @Test func windowedPoolingMatchesKeras() throws {
        for (name, kind, pool, strides, padding) in Self.pools {
            let r = Self.reference(name)
            let batch = r.inputShape[0]
            let g = try ConvolutionGeometry(inputSize: Array(r.inputShape.dropFirst().dropLast()), channels: r.inputShape.last!,
                                            kernelSize: pool, strides: strides, padding: padding)
            #expect([batch] + g.outputShape(channels: g.channels) == r.outputShape, "\(name)")
            switch kind {
            case .max:
                let (y, winners) = PoolingKernels.maxForward(r.x, batch: batch, geometry: g)
                assertClose(y, r.y, rtol: 1e-6, atol: 1e-6, name)
                assertClose(PoolingKernels.maxBackward(r.gy, winners: winners, inputCount: r.x.count), r.dx, rtol: 1e-5, atol: 1e-6, name)
            case .average:
                assertClose(PoolingKernels.averageForward(r.x, batch: batch, geometry: g), r.y, rtol: 1e-5, atol: 1e-6, name)
                assertClose(PoolingKernels.averageBackward(r.gy, batch: batch, geometry: g), r.dx, rtol: 1e-5, atol: 1e-6, name)
            }
        }
    }

    @Test(arguments: ["globalAvg2d", "globalMax2d", "globalAvg1d", "globalMax1d"])
    func globalPoolingMatchesKeras(_ name: String) {
        let r = Self.reference(name)
        let batch = r.inputShape[0], channels = r.inputShape.last!
        let positions = r.inputShape.dropFirst().dropLast().reduce(1, *)
        if name.hasPrefix("globalAvg") {
            assertClose(PoolingKernels.globalAverageForward(r.x, batch: batch, positions: positions, channels: channels), r.y, rtol: 1e-5, atol: 1e-6)
            assertClose(PoolingKernels.globalAverageBackward(r.gy, batch: batch, positions: positions, channels: channels), r.dx, rtol: 1e-5, atol: 1e-6)
        } else {
            let (y, winners) = PoolingKernels.globalMaxForward(r.x, batch: batch, positions: positions, channels: channels)
            assertClose(y, r.y, rtol: 1e-6, atol: 1e-6)
            assertClose(PoolingKernels.maxBackward(r.gy, winners: winners, inputCount: r.x.count), r.dx, rtol: 1e-5, atol: 1e-6)
        }
    }

    @Test(arguments: [("groupNorm2d", 2), ("groupNorm1dOneGroup", 1)])
    func groupNormalizationMatchesKeras(_ name: String, groups: Int) {
        let r = Self.reference(name)
        let batch = r.inputShape[0], channels = r.inputShape.last!
        let positions = r.inputShape.dropFirst().dropLast().reduce(1, *)
        let (y, saved) = GroupNormalizationKernels.forward(r.x, batch: batch, positions: positions, channels: channels, groups: groups,
                                                           epsilon: 1e-3, gamma: r.weights[0], beta: r.weights[1])
        assertClose(y, r.y, rtol: 1e-4, atol: 1e-5, "y")
        let dx = GroupNormalizationKernels.inputGradient(r.gy, saved: saved, batch: batch, positions: positions, channels: channels,
                                                         groups: groups, gamma: r.weights[0])
        assertClose(dx, r.dx, rtol: 1e-3, atol: 1e-4, "dx")
        let grads = GroupNormalizationKernels.parameterGradients(r.gy, saved: saved, batch: batch, positions: positions, channels: channels,
                                                                 scale: true, center: true, exampleWeights: nil)
        assertClose(grads.gamma!, r.weightGradients[0], rtol: 1e-4, atol: 1e-5, "dgamma")
        assertClose(grads.beta!, r.weightGradients[1], rtol: 1e-4, atol: 1e-5, "dbeta")
    }
}
