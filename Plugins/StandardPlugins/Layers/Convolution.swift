import PrivateLearning

/// 1-D or 2-D convolution with Keras semantics (`conv1d` / `conv2d`): channels-last input
/// `[B, T, Cin]` or `[B, H, W, Cin]`, kernel `[k…, Cin, filters]` (Keras HWIO), bias `[filters]`,
/// fused activation, `padding: same|valid`, `strides`, `dilation_rate`.
///
/// Stateless: `forward` saves the im2col matrix and the activations (`Convolution.Saved`); every
/// product is one GEMM (`ConvolutionKernels`). The registered norm sampler picks, per privacy unit,
/// the ghost norm `Σ_{t,s}(a_t·a_s)(δ_t·δ_s)` or the direct per-unit gradient, whichever costs less
/// for the shapes (mixed ghost clipping, Bu et al. 2022).
public final class Convolution: Layer {
    public let typeName: String
    /// Spatial axes: 1 (`conv1d`) or 2 (`conv2d`).
    public let spatialRank: Int
    public let filters: Int
    public let kernelSize: [Int]
    public let strides: [Int]
    public let padding: ConvolutionPadding
    public let dilation: [Int]
    public let activation: ActivationFunction
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    /// How per-unit norms are computed (`automatic` chooses from the shapes).
    public let normMethod: ConvolutionKernels.NormMethod

    /// `[kernel [k…, Cin, filters], bias [filters]]` (bias only when `useBias`).
    public var parameters: [Tensor] = []
    /// Set by `build`.
    public private(set) var geometry: ConvolutionGeometry?
    private var inputShape: [Int] = []

    /// What the backward pass and the norm sampler need from a forward pass.
    public struct Saved: Sendable {
        /// im2col of the input, `[B · positions, patchSize]`.
        public var columns: [Float]
        /// Pre-activation and activation, `[B · positions, filters]`.
        public var preActivation: Tensor
        public var output: Tensor
        public var batch: Int
        /// Per-example gradients the norm sampler computed on the direct path (filled at most once, by
        /// the norm sampler, on the thread that owns this tape), reused by `parameterGradients`.
        let perExample = PerExampleGradients()
    }

    /// Per-example kernel (`B × D·F`) and bias (`B × F`) gradients, and the output gradient they came from.
    final class PerExampleGradients: @unchecked Sendable {
        var outputGradient: [Float]?
        var kernel: [Float] = []
        var bias: [Float]?
    }

    public init(spatialRank: Int, filters: Int, kernelSize: [Int], strides: [Int]? = nil, padding: ConvolutionPadding = .valid,
                dilation: [Int]? = nil, activation: ActivationFunction = .linear, useBias: Bool = true,
                kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
                normMethod: ConvolutionKernels.NormMethod = .automatic) {
        precondition(spatialRank == 1 || spatialRank == 2, "convolution: 1 or 2 spatial axes")
        precondition(filters > 0 && kernelSize.count == spatialRank, "convolution: filters and kernel size")
        self.typeName = spatialRank == 1 ? "conv1d" : "conv2d"
        self.spatialRank = spatialRank
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides ?? [Int](repeating: 1, count: spatialRank)
        self.padding = padding
        self.dilation = dilation ?? [Int](repeating: 1, count: spatialRank)
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.normMethod = normMethod
    }

    public var configuration: PluginParameters {
        func list(_ v: [Int]) -> PluginParameter { .list(v.map { .int($0) }) }
        return ["filters": .int(filters), "kernel_size": list(kernelSize), "strides": list(strides),
                "padding": .string(padding.rawValue), "dilation_rate": list(dilation),
                "activation": .string(activation.rawValue), "use_bias": .bool(useBias),
                "kernel_initializer": .string(kernelInitializer.rawValue), "bias_initializer": .string(biasInitializer.rawValue)]
    }

    func makeGeometry(_ inputShape: [Int], index: Int) throws -> ConvolutionGeometry {
        guard inputShape.count == spatialRank + 1 else {
            throw PrivateLearningError.incompatibleShape(
                layer: typeName, index: index, inputShape: inputShape,
                reason: spatialRank == 1 ? "conv1d needs [steps, channels] per example" : "conv2d needs [height, width, channels] per example")
        }
        do {
            return try ConvolutionGeometry(inputSize: Array(inputShape.dropLast()), channels: inputShape.last!,
                                           kernelSize: kernelSize, strides: strides, padding: padding, dilation: dilation)
        } catch let error as ConvolutionGeometryError {
            throw PrivateLearningError.incompatibleShape(layer: typeName, index: index, inputShape: inputShape, reason: error.description)
        }
    }

    public func plannedShapes(inputShape: [Int], index: Int) throws -> LayerShapePlan? {
        let g = try makeGeometry(inputShape, index: index)
        return LayerShapePlan(outputShape: g.outputShape(channels: filters),
                              parameterShapes: [kernelSize + [g.channels, filters]] + (useBias ? [[filters]] : []))
    }

    public func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
        let g = try makeGeometry(inputShape, index: index)
        geometry = g
        self.inputShape = inputShape
        let fanIn = g.patchSize, fanOut = g.kernelPositions * filters
        parameters = [Tensor(shape: kernelSize + [g.channels, filters],
                             values: kernelInitializer.values(count: g.patchSize * filters, fanIn: fanIn, fanOut: fanOut, using: &generator))]
        if useBias {
            parameters.append(Tensor(shape: [filters], values: biasInitializer.values(count: filters, fanIn: fanIn, fanOut: fanOut, using: &generator)))
        }
        return g.outputShape(channels: filters)
    }

    public func forward(_ x: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        guard let g = geometry else { preconditionFailure("\(typeName): forward before build") }
        let b = x.rows
        precondition(x.count == b * g.inputElementCount, "\(typeName): input does not match the built shape")
        let columns = Im2Col.unfold(x.storage, batch: b, geometry: g)
        let z = Tensor(shape: [b * g.outputPositions, filters],
                       values: ConvolutionKernels.forward(columns: columns, batch: b, geometry: g, kernel: parameters[0].storage,
                                                          bias: useBias ? parameters[1].storage : nil, filters: filters))
        let a = activation.apply(z)
        return (a.reshaped([b] + g.outputShape(channels: filters)), Saved(columns: columns, preActivation: z, output: a, batch: b))
    }

    /// `δ = f'(z) ⊙ dy`, `[B · positions, filters]`.
    public func delta(_ outputGradient: Tensor, saved s: Saved) -> Tensor {
        activation.backward(z: s.preActivation, a: s.output, outputGradient: outputGradient.reshaped(s.preActivation.shape))
    }

    public func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        let d = delta(outputGradient, saved: s)
        let dx = ConvolutionKernels.inputGradient(outputGradient: d.storage, batch: s.batch, geometry: geometry!,
                                                  kernel: parameters[0].storage, filters: filters)
        return Tensor(shape: [s.batch] + inputShape, values: dx)
    }

    /// `Σ_i w_i g_i`: one GEMM (kernel) and one GEMV (bias). Examples of weight 0 are left out
    /// rather than multiplied by 0, so a non-finite value in them cannot reach the sum.
    public func parameterGradients(outputGradient: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        let g = geometry!
        // The norm sampler's per-example gradients for this very output gradient: Σ_i w_i g_i is one GEMV.
        // (Array `==` is an identity check when the tape's own array is passed; examples of weight 0 take
        // the path below, which leaves them out rather than multiplying a possibly non-finite value by 0.)
        if let cached = s.perExample.outputGradient, !(exampleWeights?.contains(0) ?? false), cached == outputGradient.storage {
            let b = s.batch
            var out = [Tensor(shape: parameters[0].shape,
                              values: ConvolutionKernels.weightedSum(s.perExample.kernel, batch: b, width: g.patchSize * filters,
                                                                     weights: exampleWeights))]
            if let bias = s.perExample.bias {
                out.append(Tensor(shape: [filters], values: ConvolutionKernels.weightedSum(bias, batch: b, width: filters, weights: exampleWeights)))
            }
            return out
        }
        var d = delta(outputGradient, saved: s).storage
        var columns = s.columns
        var weights = exampleWeights
        var batch = s.batch
        if let w = exampleWeights, w.contains(0) {
            let keep = w.indices.filter { w[$0] != 0 }
            let p = g.outputPositions, width = g.patchSize
            columns = keep.flatMap { s.columns[($0 * p * width)..<(($0 + 1) * p * width)] }
            d = keep.flatMap { d[($0 * p * filters)..<(($0 + 1) * p * filters)] }
            weights = keep.map { w[$0] }
            batch = keep.count
        }
        let grads = ConvolutionKernels.parameterGradients(columns: columns, outputGradient: d, batch: batch, geometry: g,
                                                          filters: filters, exampleWeights: weights, includeBias: useBias)
        var out = [Tensor(shape: parameters[0].shape, values: grads.kernel)]
        if let bias = grads.bias { out.append(Tensor(shape: [filters], values: bias)) }
        return out
    }

    /// Registered norm sampler: `‖Σ_{i∈u} g_i‖²` over kernel and bias for every privacy unit.
    public static func squaredNorms(_ layer: Convolution, _ input: NormSamplerInput) -> [Float] {
        let s = savedValue(input.saved, as: Saved.self, layer: layer.typeName)
        let d = layer.delta(input.outputGradient, saved: s)
        let g = layer.geometry!
        let direct = layer.normMethod == .direct
            || (layer.normMethod == .automatic
                && !ConvolutionKernels.prefersGhostNorm(rows: g.outputPositions, patchSize: g.patchSize, filters: layer.filters))
        // Per example and direct: keep every example's gradient when they are small next to the im2col matrix
        // (at most a quarter of it), so that the clipped sum reuses them.
        if input.units.isPerExample && direct && s.perExample.outputGradient == nil
            && g.patchSize * layer.filters * 4 <= g.outputPositions * g.patchSize {
            let grads = ConvolutionKernels.perExampleGradients(columns: s.columns, outputGradient: d.storage, batch: s.batch,
                                                               geometry: g, filters: layer.filters, includeBias: layer.useBias)
            let width = g.patchSize * layer.filters
            var norms = [Float](repeating: 0, count: s.batch)
            grads.kernel.withUnsafeBufferPointer { k in
                for i in 0..<s.batch {
                    var total = Double(VectorMath.sumOfSquares(k.baseAddress! + i * width, count: width))
                    if let bias = grads.bias {
                        bias.withUnsafeBufferPointer { total += Double(VectorMath.sumOfSquares($0.baseAddress! + i * layer.filters, count: layer.filters)) }
                    }
                    norms[i] = Float(total)
                }
            }
            s.perExample.kernel = grads.kernel
            s.perExample.bias = grads.bias
            s.perExample.outputGradient = input.outputGradient.storage
            return norms
        }
        return ConvolutionKernels.squaredGradientNorms(columns: s.columns, outputGradient: d.storage, batch: s.batch,
                                                       geometry: layer.geometry!, filters: layer.filters, includeBias: layer.useBias,
                                                       units: input.units.unitOfRow, unitCount: input.units.count,
                                                       method: layer.normMethod)
    }
}
