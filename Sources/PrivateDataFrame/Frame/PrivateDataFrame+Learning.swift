import PrivacyAccounting
import PrivateLearning

extension PrivateModel {
    /// Trains on a frame with DP-SGD: the frame's selected features and label are encoded from
    /// the schema only, and handed to a `PoissonLoader` (Poisson sampling with expected batch
    /// size `batchSize`). This is the only path from a frame into training.
    ///
    /// The sampling rate is q = batchSize / N with N = `frame.rowCountForAccounting` (dataset
    /// size treated as public, the TF Privacy / Opacus convention). Reserve the budget in the
    /// ledger **before** calling this (the pipeline does); `fit` itself does not touch the ledger.
    /// - Parameters:
    ///   - frame: a frame after `select(features:label:)`.
    ///   - batchSize: expected batch size q·N (public).
    ///   - epochs: passes; steps = epochs × ceil(N / batchSize).
    ///   - targetDelta: δ at which ε is reported.
    ///   - encoding: feature/label encoding (must match the one used to predict).
    /// - Throws: `DataFrameError` for a frame without features/label; `PrivateLearningError` from training.
    public func fit(_ frame: PrivateDataFrame, batchSize: Int, epochs: Int, targetDelta: Double,
                    encoding: EncodingOptions = EncodingOptions(), accountant: AccountantKind = .rdp,
                    progress: ((TrainingProgress) -> Void)? = nil) throws -> TrainingHistory {
        // Batches are encoded on demand from the frame's columns (no encoded copy of every row).
        let examples = try frame.trainingSet(encoding)
        guard examples.rows > 0 else { throw DataFrameError.noRows(operation: "fit") }
        // With a privacy unit, units are sampled (batchSize then counts units) and clipped as a whole.
        let scheme: FrameBatchSampler.Scheme = examples.unitRows != nil ? .poissonUnits(accountedUnits: nil) : .poisson(accountedSize: nil)
        let loader = try FrameBatchSampler(examples, batchSize: batchSize, scheme: scheme)
        return try fit(loader, epochs: epochs, targetDelta: targetDelta, accountant: accountant, progress: progress)
    }
}

extension PrivateDataFrame {
    /// Predicts with a model and returns a new private frame: this frame's columns plus the
    /// prediction columns named by `labelColumns` (op_tensorflow's `label_columns=`). Prediction
    /// is post-processing of the trained model; the result is as private as the input and leaves
    /// only through DP releases (`releaseAccuracy`, `releaseConfusionMatrix`, `releaseMeanSquaredError`).
    ///
    /// How outputs become columns (K = model output width):
    /// - one name, K > 1: the arg-max class, a category column with the label's declared values
    ///   (or `0…K−1` without a categorical label);
    /// - one name, K = 1, categorical/boolean label with 2 values: class 1 when the output ≥ 0.5;
    /// - one name, K = 1, numeric label: the value, mapped back from `encoding.label == .scaled`
    ///   and clamped to the label's declared bounds (spec: the label's);
    /// - K names: one number column each, clamped to [0, 1] (scores/probabilities).
    /// - Parameters:
    ///   - model: the trained model (its own predictions are never printed).
    ///   - labelColumns: names of the new columns.
    ///   - encoding: the encoding used for training.
    ///   - threshold: one output and a two-class label: class 1 when the output is at least this (public; default 0.5).
    public func predict(model: Sequential, labelColumns: [String],
                        encoding: EncodingOptions = EncodingOptions(), threshold: Float = 0.5) throws -> PrivateDataFrame {
        guard !labelColumns.isEmpty else { throw DataFrameError.invalidArgument("labelColumns is empty") }
        for name in labelColumns where columnNames.contains(name) {
            throw DataFrameError.invalidArgument("prediction column '\(name)' already exists in the frame")
        }
        let out = try predictions(of: model, encoding: encoding)
        let k = out.columns
        let labelSpec = try labelColumn.map { try column(named: $0).spec }
        var added: [FrameColumn] = []
        if labelColumns.count == 1 {
            let name = labelColumns[0]
            if k > 1 {
                var values = (0..<k).map(String.init)
                if case let .category(v)? = labelSpec?.kind, v.count == k { values = v }
                let classes: [Int32] = out.storage.withUnsafeBufferPointer { p in
                    (0..<rowCount).map { i in
                        var best = 0
                        for j in 1..<k where p[i * k + j] > p[i * k + best] { best = j }
                        return Int32(best)
                    }
                }
                added.append(FrameColumn(name: name, spec: .category(values), storage: .categorical(classes)))
            } else if let spec = labelSpec, spec.kind == .boolean || spec.kind.categories?.count == 2 {
                let classes = out.storage.map { $0 >= threshold ? Int32(1) : 0 }
                let values = spec.kind.categories ?? ["false", "true"]
                added.append(FrameColumn(name: name, spec: .category(values), storage: .categorical(classes)))
            } else if let spec = labelSpec, let b = spec.kind.bounds {
                let (scale, shift) = encoding.label == .scaled ? Self.affine(spec.kind, encoding.numericRange) : (1, 0)
                let lo = Float(b.lowerBound), hi = Float(b.upperBound)
                let v = out.storage.map { min(max(($0 - shift) / scale, lo), hi) }
                added.append(FrameColumn(name: name, spec: ColumnSpec(spec.kind), storage: .numeric(v)))
            } else {
                throw DataFrameError.invalidArgument(
                    "one output column needs a numeric or two-class label to give it bounds; select a label first")
            }
        } else {
            guard labelColumns.count == k else {
                throw DataFrameError.shapeMismatch("\(labelColumns.count) label columns for \(k) model outputs")
            }
            for (j, name) in labelColumns.enumerated() {
                let v = (0..<rowCount).map { min(max(out.storage[$0 * k + j], 0), 1) }
                added.append(FrameColumn(name: name, spec: .number(min: 0, max: 1), storage: .numeric(v)))
            }
        }
        var copy = self
        if let selection = rowSelection, let storageRows = columns.first?.storage.count {
            // A view keeps sharing its columns: each prediction column is stored at the view's rows of a column as long
            // as the storage (the other rows are never read through the view).
            added = added.map { FrameColumn(name: $0.name, spec: $0.spec, storage: $0.storage.scattering(selection, count: storageRows)) }
        } else {
            copy = compacted()
        }
        copy.columns += added
        return copy
    }

    /// The model's outputs on every row of the frame (row-major, one row per frame row): the rows are encoded and
    /// predicted `predictionChunk` at a time, the batches `Sequential.predict` itself cuts the whole encoded matrix
    /// into, so the outputs are those of `model.predict(encodedFeatures)` without holding that matrix.
    /// - Throws: `shapeMismatch` when the model's input width is not the frame's encoded width; `DataFrameError`
    ///   for a frame without features.
    package func predictions(of model: Sequential, encoding: EncodingOptions) throws -> Tensor {
        let (encoder, _) = try featureEncoder(encoding)
        let width = encoder.width
        guard width == model.inputShape.reduce(1, *) else {
            throw DataFrameError.shapeMismatch("the model expects \(model.inputShape.reduce(1, *)) encoded features, the frame has \(width)")
        }
        let chunk = Self.predictionChunk
        if rowCount <= chunk {
            return model.predict(Tensor(shape: [rowCount, width], values: encoder.encode(0..<rowCount)), batchSize: chunk)
        }
        var out: [Float] = []
        var shape: [Int] = []
        var start = 0
        while start < rowCount {
            let end = min(start + chunk, rowCount)
            let y = model.predict(Tensor(shape: [end - start, width], values: encoder.encode(start..<end)), batchSize: chunk)
            if out.isEmpty { out.reserveCapacity(rowCount * y.columns) }
            out.append(contentsOf: y.storage)
            shape = y.shape
            start = end
        }
        shape[0] = rowCount
        return Tensor(shape: shape, values: out)
    }

    /// Rows encoded and predicted at a time by `predictions(of:encoding:)`: `Sequential.predict`'s batch size.
    static let predictionChunk = 4096

    /// `predict(model:labelColumns:encoding:)` with the model wrapped by a `PrivateModel`.
    public func predict(model: PrivateModel, labelColumns: [String],
                        encoding: EncodingOptions = EncodingOptions()) throws -> PrivateDataFrame {
        try predict(model: model.model, labelColumns: labelColumns, encoding: encoding)
    }
}

/// DP-SGD batches encoded on demand from a frame's columns: the batches `PoissonLoader` or
/// `WithoutReplacementLoader` would draw from the frame's encoded matrix (the same indices from the same generator,
/// the same values), without holding that matrix. Training a frame then needs its columns and one batch, not an
/// encoded copy of every row.
package struct FrameBatchSampler: BatchSampler {
    /// The sampling scheme, as the two loaders implement it.
    package enum Scheme: Sendable {
        /// `PoissonLoader(…, accountedSize:)`: each example with probability q = B/N, N the accounted public size
        /// (nil: the number of rows).
        case poisson(accountedSize: Int?)
        /// `WithoutReplacementLoader`: B distinct examples per step, N the number of rows (public under replace-one).
        case withoutReplacement
        /// `PoissonUnitLoader`: each privacy unit with probability q = B/N over units (B, N in units; N the
        /// accounted public number of units, nil: the units present). Needs a frame with a privacy unit.
        case poissonUnits(accountedUnits: Int?)
    }

    let features: RowEncoder
    let labels: RowEncoder
    package let scheme: Scheme
    /// Number of examples present (private under add/remove).
    package let exampleCount: Int
    package let batchSize: Int
    /// The rows of each unit (`.poissonUnits` only).
    let unitRows: [[Int]]

    /// - Throws: the loaders' errors (`PrivateLearningError`) for the same arguments.
    package init(_ examples: FrameTrainingSet, batchSize: Int, scheme: Scheme) throws {
        let rows = examples.rows
        var unitRows: [[Int]] = []
        switch scheme {
        case .poissonUnits(let accountedUnits):
            guard let units = examples.unitRows else {
                throw PrivateLearningError.invalidConfiguration("unit sampling needs a frame with a privacy unit")
            }
            guard !units.isEmpty || accountedUnits != nil else { throw PrivateLearningError.invalidTrainingData("no units") }
            guard batchSize > 0 else {
                throw PrivateLearningError.invalidConfiguration("batch size must be > 0, got \(batchSize)")
            }
            if let accountedUnits, accountedUnits < batchSize {
                throw PrivateLearningError.invalidConfiguration(
                    "batch size \(batchSize) units exceeds the accounted public number of units \(accountedUnits)")
            }
            unitRows = units
            self.batchSize = accountedUnits == nil ? min(batchSize, units.count) : batchSize
        case .poisson(let accountedSize):
            guard rows > 0 || accountedSize != nil else { throw PrivateLearningError.invalidTrainingData("no examples") }
            guard batchSize > 0 else {
                throw PrivateLearningError.invalidConfiguration("batch size must be > 0, got \(batchSize)")
            }
            if let accountedSize, accountedSize < batchSize {
                throw PrivateLearningError.invalidConfiguration(
                    "batch size \(batchSize) exceeds the accounted public size \(accountedSize)")
            }
            self.batchSize = accountedSize == nil ? min(batchSize, rows) : batchSize
        case .withoutReplacement:
            guard rows > 0 else { throw PrivateLearningError.invalidTrainingData("no examples") }
            guard batchSize > 0, batchSize <= rows else {
                throw PrivateLearningError.invalidConfiguration(
                    "batch size must lie in 1…\(rows) (the public number of examples), got \(batchSize)")
            }
            self.batchSize = batchSize
        }
        self.features = examples.features
        self.labels = examples.labels
        self.exampleCount = rows
        self.scheme = scheme
        self.unitRows = unitRows
    }

    /// The N of the accounting: the accounted size under Poisson sampling when given, otherwise the number of rows.
    var publicSize: Int {
        switch scheme {
        case .poisson(let accountedSize?): return accountedSize
        case .poissonUnits(let accountedUnits): return accountedUnits ?? unitRows.count
        default: return exampleCount
        }
    }
    package var featureWidth: Int { features.width }
    /// Encoded label columns per example.
    package var labelWidth: Int { labels.width }
    package var samplingRate: Double { Double(batchSize) / Double(publicSize) }
    package var expectedBatchSize: Double { Double(batchSize) }
    package var stepsPerEpoch: Int { (publicSize + batchSize - 1) / batchSize }
    package var neighbouring: NeighbouringRelation {
        if case .withoutReplacement = scheme { return .replaceOne }
        return .addRemove
    }

    /// Indices (frame rows, ascending) of one batch: the loaders' own draws.
    package func sampleIndices<G: RandomNumberGenerator>(using generator: inout G) -> [Int] {
        switch scheme {
        case .poisson: PoissonLoader.poissonIndices(count: exampleCount, samplingRate: samplingRate, using: &generator)
        case .poissonUnits: PoissonUnitLoader.unitBatch(unitRows: unitRows, samplingRate: samplingRate, using: &generator).rows
        case .withoutReplacement: WithoutReplacementLoader.indices(count: exampleCount, batchSize: batchSize, using: &generator)
        }
    }

    /// One batch; under `.poissonUnits` all rows of every drawn unit, with `units` set (DP-SGD clips per unit);
    /// otherwise every row its own unit.
    package func sampleBatch<G: RandomNumberGenerator>(using generator: inout G) -> TrainingBatch {
        guard case .poissonUnits = scheme else {
            let idx = sampleIndices(using: &generator)
            return TrainingBatch(features: Tensor(shape: [idx.count, features.width], values: features.encode(idx)),
                                 labels: Tensor(shape: [idx.count, labels.width], values: labels.encode(idx)))
        }
        let (idx, units, count) = PoissonUnitLoader.unitBatch(unitRows: unitRows, samplingRate: samplingRate, using: &generator)
        return TrainingBatch(features: Tensor(shape: [idx.count, features.width], values: features.encode(idx)),
                             labels: Tensor(shape: [idx.count, labels.width], values: labels.encode(idx)),
                             units: units, unitCount: count)
    }
}

/// A frame's selected features and label as training examples: how each row is encoded, not the encoded rows
/// (`FrameBatchSampler` encodes the rows of each batch).
package struct FrameTrainingSet: Sendable {
    let features: RowEncoder
    let labels: RowEncoder
    /// Number of examples (the frame's rows; private under add/remove).
    package let rows: Int
    /// The rows of each privacy unit, when the frame has one (private: only the samplers read it).
    package var unitRows: [[Int]]? = nil
    /// Encoded feature columns per example (public: from the schema).
    package var featureWidth: Int { features.width }
    /// Encoded label columns per example (public: from the schema).
    package var labelWidth: Int { labels.width }
}

extension PrivateDataFrame {
    /// The frame's selected features and label as training examples, encoded on demand (see `FrameBatchSampler`).
    /// - Throws: `DataFrameError` for a frame without features or label.
    package func trainingSet(_ encoding: EncodingOptions) throws -> FrameTrainingSet {
        var set = FrameTrainingSet(features: try featureEncoder(encoding).0, labels: try labelEncoder(encoding).0, rows: rowCount)
        if let (index, count) = unitIndices() {
            var groups = [[Int]](repeating: [], count: count)
            for (row, u) in index.enumerated() { groups[u].append(row) }
            set.unitRows = groups
        }
        return set
    }
}
