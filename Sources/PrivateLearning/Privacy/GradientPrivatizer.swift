import Foundation

/// The DP step of DP-SGD as a value: per-unit clip → clipped sum → reduction across workers →
/// noise once → division by the expected batch size. Optimizers only ever see its output.
///
/// One `privatize` call on a batch:
/// 1. the rows are split into slices at unit boundaries (units never straddle slices), one per
///    thread (`threadCount`); every slice runs forward/backward with the stateless layers on its
///    own `Tape`, computes per-unit squared norms per layer (registered norm samplers or the
///    generic fallback), asks `clipping` for clip factors and forms its weighted gradient sum
///    `Σ_u factor(u)·Σ_{i∈u} g_i / (q·N)` (book-keeping: one weighted backward product);
/// 2. the slices' sums (and clipped loss sums) are added once;
/// 3. `reduction.sumAcrossWorkers` (identity for `LocalReduction`);
/// 4. the root worker adds `N(0, (σ_g·S/(q·N))²)` once per coordinate from `noise`, S =
///    `clipping.sensitivity`, and with loss tracking `N(0, (σ_L·L)²)` to the clipped loss sum;
///    then `broadcastFromRoot`.
/// The division by the expected batch size q·N (public, never the drawn size) is folded into
/// the example weights and the noise scale.
public struct GradientPrivatizer {
    /// Per-unit clipping (flat today).
    public var clipping: any ClippingStrategy
    /// Where the noise comes from.
    public var noise: any NoiseMechanism
    /// Where workers' clipped sums are combined (C2).
    public var reduction: any GradientReduction
    /// σ_g: gradient noise std divided by the sensitivity.
    public var gradientNoiseMultiplier: Double
    /// (L, σ_L) of the clipped loss-sum release, nil when the loss is not released.
    public var lossRelease: (clip: Double, noiseMultiplier: Double)?
    /// Norm samplers (looked up by layer type).
    public var registry: PluginRegistry
    /// Threads of one step (slices of the batch); 1 = the one-thread path.
    public var threadCount: Int
    /// Fewest rows a slice gets (smaller batches use fewer threads).
    public var minimumRowsPerSlice = 16

    public init(clipping: any ClippingStrategy, noise: any NoiseMechanism, reduction: any GradientReduction = LocalReduction(),
                gradientNoiseMultiplier: Double, lossRelease: (clip: Double, noiseMultiplier: Double)?,
                registry: PluginRegistry, threadCount: Int = 1) {
        self.clipping = clipping
        self.noise = noise
        self.reduction = reduction
        self.gradientNoiseMultiplier = gradientNoiseMultiplier
        self.lossRelease = lossRelease
        self.registry = registry
        self.threadCount = max(1, threadCount)
    }

    /// Per-example loss clipped to [0, L]. A NaN loss counts as L; ±∞ clip to L and 0.
    @inline(__always)
    public static func clippedLoss(_ l: Double, clip: Double) -> Double {
        if l.isNaN { return clip }
        return Swift.min(Swift.max(l, 0), clip)
    }

    /// What one slice computed.
    struct SliceResult {
        var gradients: [Tensor]
        var losses: [Float]
        var clippedLossSum: Double
    }

    /// Forward/backward, per-unit norms, clip factors and the weighted gradient sum of one slice.
    func runSlice(model: Sequential, loss: any Loss, features: Tensor, labels: Tensor, units: PrivacyUnits,
                  scale: Float) -> SliceResult {
        let recorded = model.forwardRecording(features)
        var tape = recorded.tape
        let losses = loss.perExampleLoss(predictions: recorded.output, targets: labels)
        model.backward(loss.perExampleGradient(predictions: recorded.output, targets: labels), tape: &tape, inputGradient: false)
        let norms = model.perUnitSquaredNorms(tape: tape, units: units, registry: registry)
        let factors = clipping.clipFactors(layerSquaredNorms: norms, unitCount: units.count)
        let gradients: [Tensor]
        switch factors {
        case .shared(let f):
            gradients = model.parameterGradients(tape: tape, exampleWeights: units.rowWeights(unitFactors: f.map { $0 * scale }))
        case .perLayer:
            gradients = model.parameterGradients(tape: tape, layerWeights: model.layers.indices.map { k in
                model.layers[k].parameters.isEmpty ? nil : units.rowWeights(unitFactors: factors.forLayer(k).map { $0 * scale })
            })
        }
        var lossSum = 0.0
        if let release = lossRelease {
            for u in 0..<units.count {
                var unitLoss = 0.0
                for i in units.rows(of: u) { unitLoss += Double(losses[i]) }
                lossSum += Self.clippedLoss(unitLoss, clip: release.clip)
            }
        }
        return SliceResult(gradients: gradients, losses: losses, clippedLossSum: lossSum)
    }

    /// Row order that makes every unit's rows contiguous (stable), and the unit boundaries of
    /// `slices` slices with about equal rows.
    static func plan(batch: TrainingBatch, slices: Int) -> (order: [Int]?, ranges: [Range<Int>], units: [PrivacyUnits]) {
        let b = batch.rowCount
        guard let unitOfRow = batch.units else {
            var ranges: [Range<Int>] = []
            for s in 0..<slices {
                let lo = b * s / slices, hi = b * (s + 1) / slices
                if hi > lo { ranges.append(lo..<hi) }
            }
            return (nil, ranges, ranges.map { PrivacyUnits(rowCount: $0.count) })
        }
        let grouping = batch.privacyUnits
        var order: [Int] = []
        order.reserveCapacity(b)
        var unitStart: [Int] = []      // position in `order` where unit u starts
        for u in 0..<grouping.count {
            unitStart.append(order.count)
            order.append(contentsOf: grouping.rows(of: u))
        }
        unitStart.append(order.count)
        var ranges: [Range<Int>] = []
        var unitsPerSlice: [PrivacyUnits] = []
        var u = 0
        for s in 0..<slices where u < grouping.count {
            let target = b * (s + 1) / slices
            let firstUnit = u
            while u < grouping.count && (unitStart[u + 1] <= target || u == firstUnit || s == slices - 1) { u += 1 }
            let lo = unitStart[firstUnit], hi = unitStart[u]
            var local: [Int] = []
            local.reserveCapacity(hi - lo)
            for v in firstUnit..<u { local.append(contentsOf: repeatElement(v - firstUnit, count: unitStart[v + 1] - unitStart[v])) }
            ranges.append(lo..<hi)
            unitsPerSlice.append(PrivacyUnits(unitOfRow: local, count: u - firstUnit))
        }
        _ = unitOfRow
        return (order, ranges, unitsPerSlice)
    }

    /// The clipped, summed, reduced, noised and scaled gradient of one batch.
    /// - Parameters:
    ///   - expectedBatchSize: q·N over all workers, in units (public; never the drawn size).
    /// - Throws: `nonFiniteGradient` when a clipped sum is not finite (fail closed); the
    ///   reduction's errors.
    public func privatize(model: Sequential, loss: any Loss, batch: TrainingBatch, expectedBatchSize: Double) throws
        -> PrivatizedStep {
        precondition(expectedBatchSize > 0, "expected batch size must be > 0")
        let b = batch.rowCount
        let scale = 1 / expectedBatchSize
        var grads: [Tensor]
        var losses: [Float] = []
        var lossSum = 0.0
        if b == 0 {
            grads = model.layers.flatMap { $0.parameters.map { Tensor(zeros: $0.shape) } }
        } else {
            let slices = max(1, min(threadCount, b / max(1, minimumRowsPerSlice), batch.unitCount))
            let (order, ranges, sliceUnits) = Self.plan(batch: batch, slices: slices)
            let features = order.map { batch.features.gatheringRows($0) } ?? batch.features
            let labels = order.map { batch.labels.gatheringRows($0) } ?? batch.labels
            let results: [SliceResult]
            if ranges.count == 1 {
                results = [runSlice(model: model, loss: loss, features: features, labels: labels, units: sliceUnits[0],
                                    scale: Float(scale))]
            } else {
                // Slices run their own BLAS calls; one BLAS thread each avoids oversubscription.
                let blasThreads = LinearAlgebra.threadCount
                if blasThreads > 1 { LinearAlgebra.setThreadCount(1) }
                defer { if blasThreads > 1 { LinearAlgebra.setThreadCount(blasThreads) } }
                let slicesFeatures = ranges.map { features.slicingRows($0) }
                let slicesLabels = ranges.map { labels.slicingRows($0) }
                results = ParallelSlices.map(count: ranges.count) { s in
                    runSlice(model: model, loss: loss, features: slicesFeatures[s], labels: slicesLabels[s],
                             units: sliceUnits[s], scale: Float(scale))
                }
            }
            grads = results[0].gradients
            for s in 1..<results.count {
                for k in grads.indices { Self.add(results[s].gradients[k], to: &grads[k]) }
            }
            var permuted: [Float] = []
            permuted.reserveCapacity(b)
            for r in results { permuted += r.losses; lossSum += r.clippedLossSum }
            if let order {
                losses = [Float](repeating: 0, count: b)
                for (j, i) in order.enumerated() { losses[i] = permuted[j] }
            } else {
                losses = permuted
            }
            // Fail closed: a non-finite clipped sum means some layer let a dropped example through.
            for (k, g) in grads.enumerated() where !g.isFinite {
                throw PrivateLearningError.nonFiniteGradient(parameter: k)
            }
        }
        let distributed = !(reduction is LocalReduction)
        if distributed {
            var flat = grads.flatMap(\.storage)
            try reduction.sumAcrossWorkers(&flat)
            Self.unflatten(flat, into: &grads)
            var l = [lossSum]
            try reduction.sumAcrossWorkers(&l)
            lossSum = l[0]
        }
        let std = gradientNoiseMultiplier * clipping.sensitivity * scale
        var lossStd: Double? = nil
        if reduction.isRoot {
            noise.addNoise(to: &grads, standardDeviation: std)
        }
        if let release = lossRelease {
            let sd = release.noiseMultiplier * release.clip
            lossStd = sd
            // One fresh draw per step, on the root only.
            if reduction.isRoot { lossSum += noise.scalar(standardDeviation: sd) }
        }
        if distributed {
            var flat = grads.flatMap(\.storage)
            try reduction.broadcastFromRoot(&flat)
            Self.unflatten(flat, into: &grads)
            var l = [reduction.isRoot ? lossSum : 0]
            try reduction.sumAcrossWorkers(&l)
            lossSum = l[0]
        }
        return PrivatizedStep(gradients: grads, noisyClippedLossSum: lossRelease == nil ? nil : lossSum,
                              lossSumNoiseStandardDeviation: lossStd, perExampleLosses: losses)
    }

    static func add(_ x: Tensor, to y: inout Tensor) {
        precondition(x.count == y.count, "slice gradients differ in size")
        x.storage.withUnsafeBufferPointer { xs in
            y.storage.withUnsafeMutableBufferPointer { ys in
                for i in 0..<xs.count { ys[i] += xs[i] }
            }
        }
    }

    static func unflatten(_ flat: [Float], into grads: inout [Tensor]) {
        var offset = 0
        for k in grads.indices {
            let n = grads[k].count
            grads[k].storage = Array(flat[offset..<(offset + n)])
            offset += n
        }
    }
}
