import Foundation

/// Documented resource limits of a model, checked from shapes alone (checked arithmetic) before
/// a layer allocates anything: a pipeline asking for `units: 1000000000` gets an error at
/// `validate`, not an allocation failure.
public struct ModelResourceLimits: Sendable, Equatable {
    /// Largest number of trainable scalars (default 10⁹).
    public var maximumParameters: Int
    /// Largest estimated training memory in bytes (default: half of physical memory).
    public var maximumBytes: UInt64

    public init(maximumParameters: Int = 1_000_000_000, maximumBytes: UInt64) {
        self.maximumParameters = maximumParameters
        self.maximumBytes = maximumBytes
    }

    /// 10⁹ parameters and half of the machine's physical memory (`ProcessInfo.physicalMemory`).
    public static var standard: ModelResourceLimits {
        ModelResourceLimits(maximumParameters: 1_000_000_000, maximumBytes: ProcessInfo.processInfo.physicalMemory / 2)
    }

    /// No limit (tests of the estimate itself).
    public static let unlimited = ModelResourceLimits(maximumParameters: .max, maximumBytes: .max)
}

/// Shapes a layer will have once built, known before building (no allocation).
public struct LayerShapePlan: Sendable, Equatable {
    /// Per-example output shape.
    public var outputShape: [Int]
    /// Shapes of the trainable parameter tensors `build` will create, in order.
    public var parameterShapes: [[Int]]

    public init(outputShape: [Int], parameterShapes: [[Int]]) {
        self.outputShape = outputShape
        self.parameterShapes = parameterShapes
    }

    /// Element count of `shape` with checked arithmetic; nil on overflow or a negative extent.
    public static func elementCount(_ shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, o) = n.multipliedReportingOverflow(by: d)
            if o { return nil }
            n = p
        }
        return n
    }
}

/// Running estimate of a model's training memory, layer by layer.
///
/// Bytes ≈ 4 · (4·P + 4·B·A): P parameters held as weights, gradient and two optimizer moments;
/// A activation values per example (the input and each layer's output), each kept about four
/// times (output, pre-activation, backward delta, cached input) for B examples; float32. An
/// estimate, deliberately on the high side.
public struct ModelResourceEstimate: Sendable, Equatable {
    public private(set) var parameters = 0
    public private(set) var activationsPerExample = 0
    public let batchSize: Int

    public init(inputShape: [Int], batchSize: Int) {
        self.batchSize = max(1, batchSize)
        activationsPerExample = LayerShapePlan.elementCount(inputShape) ?? .max
    }

    /// Estimated bytes, saturating at `UInt64.max`.
    public var bytes: UInt64 {
        let p = UInt64(parameters).multipliedReportingOverflow(by: 16)
        let a = UInt64(activationsPerExample).multipliedReportingOverflow(by: UInt64(batchSize))
        let a16 = a.partialValue.multipliedReportingOverflow(by: 16)
        let sum = p.partialValue.addingReportingOverflow(a16.partialValue)
        return p.overflow || a.overflow || a16.overflow || sum.overflow ? .max : sum.partialValue
    }

    /// Adds layer `index` and checks the running totals against `limits`.
    /// - Throws: `PrivateLearningError.resourceLimitExceeded` naming the layer.
    public mutating func add(layer name: String, index: Int, plan: LayerShapePlan, limits: ModelResourceLimits) throws {
        func refuse(_ why: String) -> PrivateLearningError {
            .resourceLimitExceeded(layer: name, index: index, reason: why)
        }
        for shape in plan.parameterShapes {
            guard let n = LayerShapePlan.elementCount(shape) else {
                throw refuse("a parameter of shape \(shape) has more elements than an Int can count")
            }
            let (total, o) = parameters.addingReportingOverflow(n)
            guard !o, total <= limits.maximumParameters else {
                throw refuse("more than \(limits.maximumParameters) parameters (a parameter of shape \(shape))")
            }
            parameters = total
        }
        guard let out = LayerShapePlan.elementCount(plan.outputShape) else {
            throw refuse("its output shape \(plan.outputShape) has more elements than an Int can count")
        }
        let (a, o) = activationsPerExample.addingReportingOverflow(out)
        guard !o else { throw refuse("activations per example overflow") }
        activationsPerExample = a
        let b = bytes
        guard b <= limits.maximumBytes else {
            throw refuse("training would need about \(Self.gigabytes(b)) of memory at batch size \(batchSize) "
                         + "(\(parameters) parameters, \(activationsPerExample) activations per example); "
                         + "the limit is \(Self.gigabytes(limits.maximumBytes)) (half of physical memory)")
        }
    }

    static func gigabytes(_ b: UInt64) -> String {
        b == .max ? "more than 10¹⁰ GB" : String(format: "%.3g GB", Double(b) / 1e9)
    }
}
