/// How a sliding window treats the border, as Keras spells it.
public enum ConvolutionPadding: String, Sendable, CaseIterable, Codable {
    /// No padding: only windows that lie wholly inside the input; output `⌊(n − e)/s⌋ + 1`.
    case valid
    /// Zero padding so that the output has `⌈n / s⌉` positions; the extra goes after (Keras/TF).
    case same
}

/// Why a window geometry cannot be built: a parameter out of range or an input too small or
/// too large. Layers wrap `description` into `PrivateLearningError.incompatibleShape`.
public enum ConvolutionGeometryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The spatial rank is not 1 or 2, or the per-axis lists disagree in length.
    case unsupportedRank(Int)
    /// `name` (kernel_size, strides, dilation_rate, channels, input size) must be a positive integer.
    case nonPositive(name: String, axis: Int)
    /// With `padding: valid` the dilated window (`effectiveKernel`) is longer than the input.
    case windowLargerThanInput(axis: Int, inputSize: Int, effectiveKernel: Int)
    /// Some size needed by the computation overflows (or exceeds what BLAS indexes with 32 bits).
    case tooLarge(String)

    public var description: String {
        switch self {
        case let .unsupportedRank(rank):
            return "only 1-D ([steps, channels]) and 2-D ([height, width, channels]) inputs are supported, got \(rank) spatial axes"
        case let .nonPositive(name, axis):
            return "\(name) must be a positive integer on axis \(axis)"
        case let .windowLargerThanInput(axis, inputSize, effectiveKernel):
            return "with padding 'valid' the window (\(effectiveKernel) with dilation) is larger than the input (\(inputSize)) on spatial axis \(axis); use padding 'same' or a smaller window"
        case let .tooLarge(what):
            return "\(what) is too large"
        }
    }
}

/// The sizes of a 1-D or 2-D sliding window (convolution or pooling) over a channels-last
/// per-example input `[steps, channels]` or `[height, width, channels]`.
///
/// Computed with checked arithmetic: a hostile shape gives `ConvolutionGeometryError.tooLarge`,
/// never a trap. A 1-D geometry is stored as a 2-D one of height 1, so one set of kernels
/// serves both. Every product that BLAS sees (positions, patch size) fits in `Int32`.
public struct ConvolutionGeometry: Sendable, Equatable {
    /// Spatial input size per axis (`[steps]` or `[height, width]`).
    public let inputSize: [Int]
    /// Input channels (last axis).
    public let channels: Int
    /// Window size per axis.
    public let kernelSize: [Int]
    /// Step between window starts per axis.
    public let strides: [Int]
    /// Gap between window taps per axis (1 = contiguous).
    public let dilation: [Int]
    public let padding: ConvolutionPadding
    /// Spatial output size per axis.
    public let outputSize: [Int]
    /// Zero rows/columns added before the input per axis (`same`: ⌊total/2⌋, as Keras).
    public let paddingBefore: [Int]

    // The 2-D view (height 1 for 1-D inputs).
    @usableFromInline let ih: Int, iw: Int, kh: Int, kw: Int, sh: Int, sw: Int, dh: Int, dw: Int
    @usableFromInline let oh: Int, ow: Int, ph: Int, pw: Int

    /// Output positions per example (`∏ outputSize`).
    public var outputPositions: Int { oh &* ow }
    /// Input positions per example (`∏ inputSize`).
    public var inputPositions: Int { ih &* iw }
    /// Taps per window (`∏ kernelSize`).
    public var kernelPositions: Int { kh &* kw }
    /// Length of one im2col row: taps × channels, ordered (tap row, tap column, channel) like a
    /// Keras kernel `[kh, kw, cin, cout]` flattened to `[kh·kw·cin, cout]`.
    public var patchSize: Int { kh &* kw &* channels }
    /// Elements of one example's input.
    public var inputElementCount: Int { ih &* iw &* channels }
    /// Per-example output shape for `filters` output channels (channels-last).
    public func outputShape(channels out: Int) -> [Int] { outputSize + [out] }

    /// - Parameters:
    ///   - inputSize: spatial sizes (1 or 2 axes).
    ///   - channels: input channels.
    ///   - kernelSize, strides, dilation: one value per spatial axis.
    ///   - padding: `valid` or `same` (Keras' rule).
    /// - Throws: `ConvolutionGeometryError`.
    public init(inputSize: [Int], channels: Int, kernelSize: [Int], strides: [Int],
                padding: ConvolutionPadding, dilation: [Int]? = nil) throws {
        let rank = inputSize.count
        let dilation = dilation ?? [Int](repeating: 1, count: rank)
        guard rank == 1 || rank == 2 else { throw ConvolutionGeometryError.unsupportedRank(rank) }
        guard kernelSize.count == rank, strides.count == rank, dilation.count == rank else {
            throw ConvolutionGeometryError.unsupportedRank(rank)
        }
        guard channels > 0 else { throw ConvolutionGeometryError.nonPositive(name: "channels", axis: rank) }
        var output: [Int] = [], before: [Int] = []
        for axis in 0..<rank {
            for (name, v) in [("input size", inputSize[axis]), ("kernel_size", kernelSize[axis]),
                              ("strides", strides[axis]), ("dilation_rate", dilation[axis])] where v <= 0 {
                throw ConvolutionGeometryError.nonPositive(name: name, axis: axis)
            }
            let (span, o1) = (kernelSize[axis] - 1).multipliedReportingOverflow(by: dilation[axis])
            guard !o1, span < Int(Int32.max) else { throw ConvolutionGeometryError.tooLarge("the dilated window") }
            let effective = span + 1
            let n = inputSize[axis], s = strides[axis]
            switch padding {
            case .valid:
                guard effective <= n else {
                    throw ConvolutionGeometryError.windowLargerThanInput(axis: axis, inputSize: n, effectiveKernel: effective)
                }
                output.append((n - effective) / s + 1)
                before.append(0)
            case .same:
                let out = n / s + (n % s == 0 ? 0 : 1)
                // (out − 1)·s < n, so no overflow below once `effective` is bounded.
                let total = max((out - 1) * s + effective - n, 0)
                output.append(out)
                before.append(total / 2)
            }
        }
        func product(_ values: [Int], _ what: String) throws -> Int {
            var p = 1
            for v in values {
                let (r, o) = p.multipliedReportingOverflow(by: v)
                guard !o, r <= Int(Int32.max) else { throw ConvolutionGeometryError.tooLarge(what) }
                p = r
            }
            return p
        }
        _ = try product(inputSize + [channels], "the input of one example")
        _ = try product(kernelSize + [channels], "the window (kernel taps × channels)")
        let positions = try product(output, "the number of output positions")
        _ = try product([positions] + kernelSize + [channels], "one example's im2col matrix (positions × taps × channels)")

        self.inputSize = inputSize
        self.channels = channels
        self.kernelSize = kernelSize
        self.strides = strides
        self.dilation = dilation
        self.padding = padding
        self.outputSize = output
        self.paddingBefore = before
        let two = rank == 2
        ih = two ? inputSize[0] : 1; iw = inputSize[rank - 1]
        kh = two ? kernelSize[0] : 1; kw = kernelSize[rank - 1]
        sh = two ? strides[0] : 1; sw = strides[rank - 1]
        dh = two ? dilation[0] : 1; dw = dilation[rank - 1]
        oh = two ? output[0] : 1; ow = output[rank - 1]
        ph = two ? before[0] : 0; pw = before[rank - 1]
    }

    /// Elements of a batch's im2col matrix, `batch · positions · patchSize`, or nil on overflow or
    /// when the row count exceeds what BLAS indexes (`Int32`).
    public func columnElementCount(batch: Int) -> Int? {
        let (rows, o1) = batch.multipliedReportingOverflow(by: outputPositions)
        guard !o1, rows <= Int(Int32.max) else { return nil }
        let (n, o2) = rows.multipliedReportingOverflow(by: patchSize)
        return o2 ? nil : n
    }
}
