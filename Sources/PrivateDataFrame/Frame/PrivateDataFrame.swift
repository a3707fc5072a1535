/// A table whose cell values stay private.
///
/// There is no public API that returns a cell, a row or an exact count. Data leaves a frame only
/// through DP-SGD training (`PrivateModel.fit(_:batchSize:...)`) and DP releases charged to a
/// `BudgetLedger`. Operations that do not look at values (selecting columns, splitting by a seeded
/// hash of the row's content, an id or its position, predicting with a model) return new private frames. `description`
/// prints the schema and the word "private".
public struct PrivateDataFrame: Sendable, CustomStringConvertible {
    var columns: [FrameColumn] {
        didSet { columnIndex = Self.index(columns) }
    }
    /// Position in `columns` by name: every lookup by name is O(1), so per-column steps stay linear in the
    /// number of columns.
    private var columnIndex: [String: Int]
    /// The frame's number of rows (of the selection when `rowSelection` is set).
    var rowCount: Int
    /// A view's rows: row i of the frame is row `rowSelection[i]` of the columns' storage, which the view shares
    /// with the frame it was taken from (copy-on-write: nothing is copied unless a column is mutated). nil: the
    /// storage's rows, in order. `split` returns views, so its parts cost an index array, not a copy of the data.
    var rowSelection: [Int]?
    /// The ledger's dataset id: declared at load time, or the SHA-256 of the CSV file.
    public let datasetID: String
    /// Where the data came from (file name), for messages.
    public let source: String
    /// Feature columns chosen by `select`, in order; nil before any selection.
    public private(set) var featureColumns: [String]?
    /// Label column chosen by `select`, if any.
    public private(set) var labelColumn: String?
    /// The declared image over pixel columns, when the schema has one (public metadata).
    public internal(set) var image: ImageSpec?
    /// The privacy unit after `boundingContributions` (nil: one row = one unit).
    public internal(set) var privacyUnit: PrivacyUnit?

    init(columns: [FrameColumn], rowCount: Int, datasetID: String, source: String,
         featureColumns: [String]? = nil, labelColumn: String? = nil, rowSelection: [Int]? = nil) {
        self.columns = columns
        self.columnIndex = Self.index(columns)
        self.rowCount = rowSelection?.count ?? rowCount
        self.rowSelection = rowSelection
        self.datasetID = datasetID
        self.source = source
        self.featureColumns = featureColumns
        self.labelColumn = labelColumn
    }

    /// Loads a CSV file (header row required) into private columnar storage.
    ///
    /// Every column of the file must be declared by `schema` (its own entry or the `default`);
    /// columns declared `ignore` are skipped. Numbers outside their bounds are clamped (or refused
    /// with `out_of_bounds: error`); how many were clamped is private and is not reported.
    /// - Parameters:
    ///   - path: the CSV file.
    ///   - schema: the public declaration of the columns.
    ///   - datasetID: the ledger's id for this data set; `nil` uses the SHA-256 of the file's
    ///     bytes (computed while streaming it).
    /// - Throws: `DataFrameError` naming file, line and column, never a cell value.
    public static func load(csv path: String, schema: Schema, datasetID: String? = nil) throws -> PrivateDataFrame {
        let loaded = try CSVLoader.load(path: path, schema: schema, hashing: datasetID == nil)
        var frame = PrivateDataFrame(columns: loaded.columns, rowCount: loaded.rowCount,
                                     datasetID: datasetID ?? "sha256:" + loaded.sha256!,
                                     source: path.split(separator: "/").last.map(String.init) ?? path)
        frame.image = schema.image
        return frame
    }

    /// Column names, in file order (schema metadata: public).
    public var columnNames: [String] { columns.map(\.name) }

    /// The public declaration of a column.
    public func spec(of column: String) throws -> ColumnSpec {
        try self.column(named: column).spec
    }

    /// The schema of the frame's current columns (public metadata).
    public var schema: Schema {
        Schema(columns: Dictionary(uniqueKeysWithValues: columns.map { ($0.name, $0.spec) }))
    }

    /// The number of rows, **treated as public for privacy accounting only**.
    ///
    /// DP-SGD needs N to set the sampling rate q = B/N and the number of steps. Like TF Privacy
    /// and Opacus, dpflow treats the dataset size as public: the accountant's guarantee is for the
    /// "add/remove one example" relation given N. Use this value only for accounting (the
    /// pipeline's sampling rate); never print or export it. If N itself must stay private,
    /// declare a public size in the pipeline instead (`public_size`) and pass that to the loader.
    public var rowCountForAccounting: Int { rowCount }

    /// Schema and the word "private"; never values or counts.
    public var description: String {
        var lines = ["PrivateDataFrame(private; dataset \(datasetID); source \(source); values and row count are private)"]
        let features = Set(featureColumns ?? [])
        for c in columns {
            var role = ""
            if c.name == labelColumn { role = "  [label]" } else if features.contains(c.name) { role = "  [feature]" }
            lines.append("  \(c.name): \(c.spec.kind)\(role)")
        }
        return lines.joined(separator: "\n")
    }

    func column(named name: String) throws -> FrameColumn {
        guard let k = columnIndex[name] else {
            throw DataFrameError.unknownColumn(name, available: columnNames)
        }
        return columns[k]
    }

    private static func index(_ columns: [FrameColumn]) -> [String: Int] {
        var index: [String: Int] = [:]
        index.reserveCapacity(columns.count)
        for (k, c) in columns.enumerated() where index[c.name] == nil { index[c.name] = k }
        return index
    }

    // MARK: selection

    /// Keeps `features` and `label` (in that order) and remembers their roles for training.
    /// - Throws: `unknownColumn` (with a suggestion) for a name the frame does not have.
    public func select(features: [String], label: String? = nil) throws -> PrivateDataFrame {
        var names = features
        if let label { names.append(label) }
        guard Set(names).count == names.count else {
            throw DataFrameError.invalidArgument("a column is selected twice (features and label must be distinct)")
        }
        if let unit = privacyUnit?.column, names.contains(unit) {
            throw DataFrameError.invalidArgument("the privacy unit column '\(unit)' is never a feature or a label")
        }
        let kept = try names.map { try column(named: $0) }
        var selected = PrivateDataFrame(columns: kept, rowCount: rowCount, datasetID: datasetID, source: source,
                                        featureColumns: features, labelColumn: label, rowSelection: rowSelection)
        selected.image = image
        selected.privacyUnit = privacyUnit
        return selected
    }

    /// Uses every column except `label` as features (file order), and `label` as the label.
    public func select(allFeaturesExcept label: String) throws -> PrivateDataFrame {
        _ = try column(named: label)
        return try select(features: columnNames.filter { $0 != label && $0 != privacyUnit?.column }, label: label)
    }

    /// Removes columns.
    public func dropping(_ names: [String]) throws -> PrivateDataFrame {
        for n in names { _ = try column(named: n) }
        let drop = Set(names)
        var copy = self
        copy.columns.removeAll { drop.contains($0.name) }
        copy.featureColumns = featureColumns?.filter { !drop.contains($0) }
        if let l = labelColumn, drop.contains(l) { copy.labelColumn = nil }
        return copy
    }

    // MARK: split

    /// Splits rows by a seeded hash of their position (`split(testFraction:seed:key:keySource:)` with
    /// `.position`): the sizes of the parts are a public function of N, the fraction and the seed
    /// (`splitSizes`). Suits replace-one neighbours only; under add/remove use `.rowContent` or an id column.
    public func split(testFraction: Double, seed: UInt64) throws -> (train: PrivateDataFrame, test: PrivateDataFrame) {
        try split(testFraction: testFraction, seed: seed, key: .position)
    }

    /// Sizes of the two parts `split(testFraction:seed:)` makes of a frame with `rowCount` rows.
    ///
    /// A public function of the row count N, the fraction and the seed: it reads no data, so
    /// where N is public (as in DP-SGD accounting, `rowCountForAccounting`) the sizes are public
    /// too and can be used for planning (e.g. the test size a metric is divided by).
    /// - Parameters:
    ///   - rowCount: N, the number of rows of the frame to be split.
    ///   - testFraction: share of rows sent to the test part, strictly between 0 and 1.
    ///   - seed: the split's seed.
    public static func splitSizes(rowCount: Int, testFraction: Double, seed: UInt64) throws -> (train: Int, test: Int) {
        guard rowCount >= 0 else { throw DataFrameError.invalidArgument("rowCount must not be negative") }
        let threshold = try splitThreshold(testFraction)
        var test = 0
        for i in 0..<rowCount where SplitMix64.hash(seed, UInt64(i)) < threshold { test += 1 }
        return (rowCount - test, test)
    }

    static func splitThreshold(_ testFraction: Double) throws -> UInt64 {
        guard testFraction > 0, testFraction < 1 else {
            throw DataFrameError.invalidArgument("testFraction must be strictly between 0 and 1")
        }
        return UInt64(testFraction * 18_446_744_073_709_551_616.0)
    }

    /// A view of the rows at `indices` (frame rows, in that order): shares the columns' storage, holds only the
    /// composed index array.
    func gathering(_ indices: [Int]) -> PrivateDataFrame {
        var copy = self
        if let base = rowSelection {
            copy.rowSelection = indices.map { base[$0] }
        } else {
            copy.rowSelection = indices
        }
        copy.rowCount = indices.count
        return copy
    }

    /// The column's values for the frame's rows, in order: the storage itself, or for a view the selected rows
    /// (a copy of that one column).
    func storage(of column: FrameColumn) -> ColumnStorage {
        guard let selection = rowSelection else { return column.storage }
        return column.storage.gathering(selection)
    }

    /// The same frame with its own storage holding exactly its rows (a view is materialised; a frame that is not a
    /// view is returned as is).
    func compacted() -> PrivateDataFrame {
        guard let selection = rowSelection else { return self }
        var copy = self
        copy.columns = columns.map { FrameColumn(name: $0.name, spec: $0.spec, storage: $0.storage.gathering(selection)) }
        copy.rowSelection = nil
        if let unit = privacyUnit {
            copy.privacyUnit = PrivacyUnit(column: unit.column, maxRowsPerUnit: unit.maxRowsPerUnit, keys: selection.map { unit.keys[$0] })
        }
        return copy
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014), used as a keyed hash of a row position and as the
/// seeded generator of tests. Not cryptographically secure.
struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    static func hash(_ seed: UInt64, _ i: UInt64) -> UInt64 {
        mix(mix(seed &+ 0x9E37_79B9_7F4A_7C15) ^ (i &* 0xD1B5_4A32_D192_ED03))
    }
}
