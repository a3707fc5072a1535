/// The noise a privatizer adds once per step to the reduced clipped sum (a value, composed with
/// any clipping strategy).
public protocol NoiseMechanism: AnyObject {
    /// True only when the randomness is cryptographically secure; a DP guarantee requires it.
    var isCryptographicallySecure: Bool { get }
    /// Adds independent `N(0, standardDeviation²)` to every coordinate of every tensor.
    func addNoise(to values: inout [Tensor], standardDeviation: Double)
    /// One independent `N(0, standardDeviation²)` draw (e.g. for the loss release).
    func scalar(standardDeviation: Double) -> Double
}

/// Gaussian noise from a `NoiseSource`: `SecureRandomSource` (AES-256-CTR keyed from the OS)
/// by default; a seeded source only in tests, which marks the run not private.
///
/// With `prefetch(count:)` the gradient noise of the next step is drawn ahead of time on a
/// background thread from an independent stream (noise is data-independent, so this changes
/// nothing about privacy); scalar draws always come from `source`.
public final class GaussianNoise: NoiseMechanism {
    /// Randomness of scalar draws (and of gradient noise when not prefetching).
    public let source: any NoiseSource
    private var pipeline: NoisePipeline?

    public init(source: any NoiseSource = SecureRandomSource()) { self.source = source }

    public var isCryptographicallySecure: Bool { source.isCryptographicallySecure }

    /// Starts drawing `count` standard normals per step ahead of time (idempotent per count).
    public func startPrefetching(count: Int) {
        if pipeline?.count == count { return }
        pipeline?.stop()
        pipeline = NoisePipeline(count: count, source: source.independentStream())
    }

    /// Stops the background worker (call once training ends).
    public func stopPrefetching() {
        pipeline?.stop()
        pipeline = nil
    }

    deinit { pipeline?.stop() }

    public func addNoise(to values: inout [Tensor], standardDeviation: Double) {
        guard standardDeviation > 0 else { return }
        let total = values.reduce(0) { $0 + $1.count }
        if let pipeline, pipeline.count == total {
            let z = pipeline.begin()
            var offset = 0
            let s = Float(standardDeviation)
            for k in values.indices {
                let n = values[k].count
                values[k].storage.withUnsafeMutableBufferPointer { v in
                    guard let zz = z.baseAddress.map({ $0 + offset }) else { return }
                    for i in 0..<n { v[i] += s * zz[i] }
                }
                offset += n
            }
            pipeline.end()
            return
        }
        for k in values.indices {
            source.addGaussianNoise(to: &values[k].storage, standardDeviation: standardDeviation)
        }
    }

    public func scalar(standardDeviation: Double) -> Double {
        guard standardDeviation > 0 else { return 0 }
        var g: any NoiseSource = source
        return standardDeviation * GaussianSampling.standardNormal(using: &g)
    }
}
