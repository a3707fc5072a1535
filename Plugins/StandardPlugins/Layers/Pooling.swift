import PrivateLearning

/// Max or average pooling over 1-D `[B, T, C]` or 2-D `[B, H, W, C]` windows, Keras semantics
/// (`max_pooling1d/2d`, `average_pooling1d/2d`: `pool_size`, `strides` defaulting to the pool
/// size, `padding: valid|same`; padded taps never count). No parameters; each example alone.
public final class Pooling: Layer {
    public enum Kind: String, Sendable { case max, average }
    public let typeName: String
    public let kind: Kind
    public let spatialRank: Int
    public let poolSize: [Int]
    public let strides: [Int]
    public let padding: ConvolutionPadding
    public var parameters: [Tensor] = []
    public private(set) var geometry: ConvolutionGeometry?
    private var inputShape: [Int] = []

    /// Max pooling saves each output's winning input index; average pooling needs only the batch size.
    struct Saved: Sendable { var winners: [Int]; var batch: Int }

    public init(_ kind: Kind, spatialRank: Int, poolSize: [Int], strides: [Int]? = nil, padding: ConvolutionPadding = .valid) {
        precondition(spatialRank == 1 || spatialRank == 2, "pooling: 1 or 2 spatial axes")
        self.kind = kind
        self.spatialRank = spatialRank
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
        self.typeName = "\(kind == .max ? "max" : "average")_pooling\(spatialRank)d"
    }

    public var configuration: PluginParameters {
        ["pool_size": .list(poolSize.map { .int($0) }), "strides": .list(strides.map { .int($0) }), "padding": .string(padding.rawValue)]
    }

    func makeGeometry(_ inputShape: [Int], index: Int) throws -> ConvolutionGeometry {
        guard inputShape.count == spatialRank + 1 else {
            throw PrivateLearningError.incompatibleShape(layer: typeName, index: index, inputShape: inputShape,
                                                         reason: "\(typeName) needs \(spatialRank == 1 ? "[steps, channels]" : "[height, width, channels]") per example")
        }
        do {
            return try ConvolutionGeometry(inputSize: Array(inputShape.dropLast()), channels: inputShape.last!,
                                           kernelSize: poolSize, strides: strides, padding: padding)
        } catch let error as ConvolutionGeometryError {
            throw PrivateLearningError.incompatibleShape(layer: typeName, index: index, inputShape: inputShape, reason: error.description)
        }
    }

    public func plannedShapes(inputShape: [Int], index: Int) throws -> LayerShapePlan? {
        let g = try makeGeometry(inputShape, index: index)
        return LayerShapePlan(outputShape: g.outputShape(channels: g.channels), parameterShapes: [])
    }

    public func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
        let g = try makeGeometry(inputShape, index: index)
        geometry = g
        self.inputShape = inputShape
        return g.outputShape(channels: g.channels)
    }

    public func forward(_ x: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        let g = geometry!, b = x.rows
        let shape = [b] + g.outputShape(channels: g.channels)
        switch kind {
        case .max:
            let (y, winners) = PoolingKernels.maxForward(x.storage, batch: b, geometry: g)
            return (Tensor(shape: shape, values: y), Saved(winners: winners, batch: b))
        case .average:
            return (Tensor(shape: shape, values: PoolingKernels.averageForward(x.storage, batch: b, geometry: g)), Saved(winners: [], batch: b))
        }
    }

    public func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        let g = geometry!
        let dx: [Float]
        switch kind {
        case .max: dx = PoolingKernels.maxBackward(outputGradient.storage, winners: s.winners, inputCount: s.batch * g.inputElementCount)
        case .average: dx = PoolingKernels.averageBackward(outputGradient.storage, batch: s.batch, geometry: g)
        }
        return Tensor(shape: [s.batch] + inputShape, values: dx)
    }

    public func parameterGradients(outputGradient: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] { [] }
}

/// Global max or average pooling (`global_max_pooling1d/2d`, `global_average_pooling1d/2d`):
/// `[B, …, C] → [B, C]`, over every position of each example. `global_average_pooling1d` respects
/// a `SequenceMask` (Keras): the mean over the real steps only (`GlobalPooling+Mask.swift`).
public final class GlobalPooling: Layer {
    public let typeName: String
    public let kind: Pooling.Kind
    public let spatialRank: Int
    public var parameters: [Tensor] = []
    private var inputShape: [Int] = []

    /// `positionWeights`: with a mask (average over 1-D steps), `m_bt / max(Σ_t m_bt, 1)` per step, `[B · T]`.
    struct Saved: Sendable { var winners: [Int]; var batch: Int; var positionWeights: [Float]? = nil }

    public init(_ kind: Pooling.Kind, spatialRank: Int) {
        self.kind = kind
        self.spatialRank = spatialRank
        self.typeName = "global_\(kind == .max ? "max" : "average")_pooling\(spatialRank)d"
    }

    public var configuration: PluginParameters { [:] }

    func check(_ inputShape: [Int], index: Int) throws {
        guard inputShape.count == spatialRank + 1, inputShape.allSatisfy({ $0 > 0 }),
              LayerShapePlan.elementCount(inputShape) != nil else {
            throw PrivateLearningError.incompatibleShape(layer: typeName, index: index, inputShape: inputShape,
                                                         reason: "\(typeName) needs \(spatialRank == 1 ? "[steps, channels]" : "[height, width, channels]") per example")
        }
    }

    public func plannedShapes(inputShape: [Int], index: Int) throws -> LayerShapePlan? {
        try check(inputShape, index: index)
        return LayerShapePlan(outputShape: [inputShape.last!], parameterShapes: [])
    }

    public func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
        try check(inputShape, index: index)
        self.inputShape = inputShape
        return [inputShape.last!]
    }

    var positions: Int { inputShape.dropLast().reduce(1, *) }
    var channels: Int { inputShape.last! }

    public func forward(_ x: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        let b = x.rows
        switch kind {
        case .max:
            let (y, winners) = PoolingKernels.globalMaxForward(x.storage, batch: b, positions: positions, channels: channels)
            return (Tensor(shape: [b, channels], values: y), Saved(winners: winners, batch: b))
        case .average:
            return (Tensor(shape: [b, channels], values: PoolingKernels.globalAverageForward(x.storage, batch: b, positions: positions, channels: channels)),
                    Saved(winners: [], batch: b))
        }
    }

    public func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        let dx: [Float]
        switch kind {
        case .max: dx = PoolingKernels.maxBackward(outputGradient.storage, winners: s.winners, inputCount: s.batch * positions * channels)
        case .average:
            if let w = s.positionWeights {
                dx = Self.weightedAverageBackward(outputGradient.storage, weights: w, batch: s.batch, positions: positions, channels: channels)
            } else {
                dx = PoolingKernels.globalAverageBackward(outputGradient.storage, batch: s.batch, positions: positions, channels: channels)
            }
        }
        return Tensor(shape: [s.batch] + inputShape, values: dx)
    }

    public func parameterGradients(outputGradient: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] { [] }
}

/// Keras `Reshape`: gives each example a new shape of equal element count (`target_shape`, one
/// entry may be -1). Row-major, so it only relabels the storage.
public final class Reshape: Layer {
    public let typeName = "reshape"
    public let targetShape: [Int]
    public var parameters: [Tensor] = []
    private var inputShape: [Int] = []
    private var outputShape: [Int] = []

    public init(targetShape: [Int]) { self.targetShape = targetShape }

    public var configuration: PluginParameters { ["target_shape": .list(targetShape.map { .int($0) })] }

    func resolve(_ inputShape: [Int], index: Int) throws -> [Int] {
        func fail(_ why: String) -> PrivateLearningError {
            .incompatibleShape(layer: typeName, index: index, inputShape: inputShape, reason: why)
        }
        guard let total = LayerShapePlan.elementCount(inputShape), total > 0 else { throw fail("the input shape is empty or too large") }
        let unknown = targetShape.filter { $0 == -1 }.count
        guard unknown <= 1, targetShape.allSatisfy({ $0 > 0 || $0 == -1 }), !targetShape.isEmpty else {
            throw fail("target_shape needs positive sizes and at most one -1")
        }
        guard let known = LayerShapePlan.elementCount(targetShape.filter { $0 != -1 }), known > 0 else {
            throw fail("target_shape is too large")
        }
        if unknown == 1 {
            guard total % known == 0 else { throw fail("\(total) elements cannot take target_shape \(targetShape)") }
            return targetShape.map { $0 == -1 ? total / known : $0 }
        }
        guard known == total else { throw fail("\(total) elements cannot take target_shape \(targetShape)") }
        return targetShape
    }

    public func plannedShapes(inputShape: [Int], index: Int) throws -> LayerShapePlan? {
        LayerShapePlan(outputShape: try resolve(inputShape, index: index), parameterShapes: [])
    }

    public func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
        outputShape = try resolve(inputShape, index: index)
        self.inputShape = inputShape
        return outputShape
    }

    public func forward(_ x: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        (x.reshaped([x.rows] + outputShape), ())
    }

    public func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor {
        outputGradient.reshaped([outputGradient.rows] + inputShape)
    }

    public func parameterGradients(outputGradient: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] { [] }
}
