import PrivateDataFrame
import PrivateLearning

/// The public schema written in a `load` stage: per column its type and declared bounds or values.
/// It is public metadata chosen by the data owner, never inferred from the data.
///
/// Every value-level problem has a data-independent policy, so no value can make a run fail or change
/// what it writes except through DP releases: `missing` (empty cell) and `invalid` (not a number, integer,
/// boolean or declared category): `drop_row` (the default) or `{default: v}`; `out_of_bounds`: `clamp` (the
/// default) or `drop_row`; a row with too few or too many fields is dropped. The failing policy `error` is
/// refused here: its outcome would tell the pipeline author whether some row has the problem. The data
/// owner finds every such value, with its line and column, with `dpflow check PIPELINE`.
public struct SchemaSpec: Sendable {
    /// One column's declaration.
    public struct Column: Sendable {
        public enum Kind: String, Sendable, CaseIterable { case number, integer, category, boolean, text }
        public var kind: Kind
        /// Declared public bounds (number, integer).
        public var min: Double?
        public var max: Double?
        /// Declared category values, as written.
        public var values: [String]
        /// `missing: {default: x}`; nil with `dropRowsWithMissing` (the default): rows with an empty cell are dropped.
        public var missingDefault: String?
        public var dropRowsWithMissing: Bool
        /// `out_of_bounds: clamp|drop_row` (default clamp).
        public var clampOutOfBounds: Bool
        /// `invalid: {default: x}`; nil (the default): rows with an invalid cell are dropped.
        public var invalidDefault: String?
        public var position: SourcePosition
        /// `type: text`: tokenisation, max_length (SchemaSpec+Text.swift).
        public var text: TextColumnSpec? = nil
    }

    /// Declared columns by name, in file order.
    public var columns: [(name: String, column: Column)] {
        didSet { index = Self.index(columns) }
    }
    /// The `default:` declaration for columns not listed.
    public var defaultColumn: Column?
    /// `image: {columns: "pixel_*", shape: [8, 8, 1], min: 0, max: 16}`: pixel columns declared as one image.
    public var image: ImageSpec?
    public var position: SourcePosition
    /// Position in `columns` by name (first declaration wins), so lookups are O(1) whatever the width.
    private var index: [String: Int]

    public init(columns: [(name: String, column: Column)], defaultColumn: Column?, position: SourcePosition) {
        self.columns = columns
        self.defaultColumn = defaultColumn
        self.position = position
        self.index = Self.index(columns)
    }

    private static func index(_ columns: [(name: String, column: Column)]) -> [String: Int] {
        var index: [String: Int] = [:]
        index.reserveCapacity(columns.count)
        for (k, c) in columns.enumerated() where index[c.name] == nil { index[c.name] = k }
        return index
    }

    /// The declaration of `name` (its own or the default). O(1).
    public func column(named name: String) -> Column? {
        if let k = index[name] { return columns[k].column }
        if let image, image.matches(name) {
            return Column(kind: .number, min: image.min, max: image.max, values: [], missingDefault: nil, dropRowsWithMissing: true,
                          clampOutOfBounds: true, invalidDefault: nil, position: position)
        }
        return defaultColumn
    }

    /// True when `name` has its own declaration (not only the default).
    public func declares(_ name: String) -> Bool { index[name] != nil }

    static func decode(_ value: SpecValue, diagnostics: inout DiagnosticCollector) -> SchemaSpec? {
        guard let entries = value.mappingEntries else {
            diagnostics.error(value.position, "'\(value.path)' must be a mapping from column names to declarations, found \(value.typeName)")
            return nil
        }
        var declared: [(name: String, column: Column)] = []
        var defaultColumn: Column?
        var image: ImageSpec?
        var ok = true
        for entry in entries {
            if entry.key == "image", entry.value.mappingEntries?.contains(where: { $0.key == "shape" }) == true {
                guard let decoded = decodeImage(entry.value, diagnostics: &diagnostics) else { ok = false; continue }
                image = decoded
                continue
            }
            guard let column = decodeColumn(entry.value, diagnostics: &diagnostics) else { ok = false; continue }
            if entry.key == "default" { defaultColumn = column } else { declared.append((entry.key, column)) }
        }
        var spec = SchemaSpec(columns: declared, defaultColumn: defaultColumn, position: value.position)
        spec.image = image
        if spec.columns.isEmpty && spec.defaultColumn == nil && spec.image == nil {
            diagnostics.error(value.position, "'\(value.path)' declares no columns")
            ok = false
        }
        return ok ? spec : nil
    }

    static func decodeColumn(_ value: SpecValue, diagnostics: inout DiagnosticCollector) -> Column? {
        guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
        let errorsBefore = diagnostics.diagnostics.count
        let kindName = r.choice("type", Column.Kind.allCases.map(\.rawValue), required: true, diagnostics: &diagnostics)
        let kind = kindName.flatMap(Column.Kind.init(rawValue:))
        let minValue = r.optional("min"), maxValue = r.optional("max")
        let valuesValue = r.optional("values")
        let textSpec = decodeText(&r, isText: kind == .text, position: value.position, diagnostics: &diagnostics)
        var column = Column(kind: kind ?? .number, min: nil, max: nil, values: [], missingDefault: nil,
                            dropRowsWithMissing: true, clampOutOfBounds: true, invalidDefault: nil, position: value.position)
        if let minValue { column.min = SpecMappingReader.number(minValue, diagnostics: &diagnostics) }
        if let maxValue { column.max = SpecMappingReader.number(maxValue, diagnostics: &diagnostics) }
        if let valuesValue { column.values = SpecMappingReader.strings(valuesValue, diagnostics: &diagnostics) ?? [] }
        if let missing = r.optional("missing") {
            column.missingDefault = decodeCellPolicy(missing, diagnostics: &diagnostics)
            column.dropRowsWithMissing = column.missingDefault == nil
        }
        if let invalid = r.optional("invalid") {
            column.invalidDefault = decodeCellPolicy(invalid, diagnostics: &diagnostics)
        }
        if let policy = r.optional("out_of_bounds") {
            switch policy.stringValue {
            case "clamp": column.clampOutOfBounds = true
            case "drop_row": column.clampOutOfBounds = false
            case "error": diagnostics.error(policy.position, failingPolicy(policy.path))
            default:
                diagnostics.error(policy.position, "'\(policy.path)' must be clamp or drop_row."
                                  + NameSuggestion.didYouMean(policy.stringValue ?? "", in: ["clamp", "drop_row"]))
            }
        }
        r.finish(diagnostics: &diagnostics)
        switch kind {
        case .number?, .integer?:
            if minValue == nil || maxValue == nil {
                diagnostics.error(value.position, "'\(value.path)' (\(kind!.rawValue)) needs public bounds 'min' and 'max'")
            } else if let lo = column.min, let hi = column.max, !(lo < hi) {
                diagnostics.error(maxValue!.position, "'\(value.path).max' must be greater than 'min'")
            }
            if let valuesValue { diagnostics.error(valuesValue.position, "'values' applies to category columns only") }
        case .category?:
            if valuesValue == nil {
                diagnostics.error(value.position, "'\(value.path)' (category) needs its public list of 'values'")
            } else if column.values.isEmpty {
                diagnostics.error(valuesValue!.position, "'\(valuesValue!.path)' must list at least one value")
            } else if Set(column.values).count != column.values.count {
                diagnostics.error(valuesValue!.position, "'\(valuesValue!.path)' lists a value twice")
            }
            for v in [minValue, maxValue].compactMap({ $0 }) {
                diagnostics.error(v.position, "'min'/'max' apply to number and integer columns only")
            }
        case .boolean?, nil:
            break
        case .text?:
            column.text = textSpec
            for v in [minValue, maxValue, valuesValue].compactMap({ $0 }) {
                diagnostics.error(v.position, "'min', 'max' and 'values' do not apply to text columns")
            }
        }
        checkLimits(min: minValue, max: maxValue, column: column, diagnostics: &diagnostics)
        if diagnostics.diagnostics.count == errorsBefore, kind != nil {
            // Defaults must be valid values of the type, inside the bounds: checked now, before any budget is
            // reserved (the schema is public).
            do {
                try Schema(columns: [value.path: column.columnSpec]).validate()
            } catch let error as DataFrameError {
                if case let .invalidSchema(_, reason) = error {
                    diagnostics.error(value.position, "'\(value.path)': \(reason)")
                } else {
                    diagnostics.error(value.position, "'\(value.path)': \(error)")
                }
            } catch {
                diagnostics.error(value.position, "'\(value.path)': \(error)")
            }
        }
        return diagnostics.diagnostics.count == errorsBefore ? column : nil
    }

    /// `drop_row` (nil) or `{default: v}` (v); `error` is refused with a pointer to `dpflow check`.
    /// `image: {columns: PATTERN, shape: [H, W, C], min: LO, max: HI}`; pixels are number columns with
    /// the pipeline policies (missing/invalid cells drop the row, out-of-bounds values are clamped).
    static func decodeImage(_ value: SpecValue, diagnostics: inout DiagnosticCollector) -> ImageSpec? {
        guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
        let errorsBefore = diagnostics.diagnostics.count
        let pattern = r.string("columns", required: true, diagnostics: &diagnostics)
        let shapeValue = r.optional("shape")
        let lo = r.optional("min").flatMap { SpecMappingReader.number($0, diagnostics: &diagnostics) }
        let hi = r.optional("max").flatMap { SpecMappingReader.number($0, diagnostics: &diagnostics) }
        r.finish(diagnostics: &diagnostics)
        let shape = shapeValue?.sequenceItems?.compactMap(\.intValue)
        guard let shape, shape.count == shapeValue?.sequenceItems?.count else {
            diagnostics.error(shapeValue?.position ?? value.position, "'\(value.path).shape' must be a list of integers, like [28, 28, 1]")
            return nil
        }
        guard let lo, let hi else {
            diagnostics.error(value.position, "'\(value.path)' needs public pixel bounds 'min' and 'max'")
            return nil
        }
        guard let pattern, diagnostics.diagnostics.count == errorsBefore else { return nil }
        let image = ImageSpec(columns: pattern, shape: shape, min: lo, max: hi, missing: .dropRow, invalid: .dropRow, outOfBounds: .clamp)
        do { try image.validate() } catch {
            if case let DataFrameError.invalidSchema(_, reason)? = error as? DataFrameError {
                diagnostics.error(value.position, "'\(value.path)': \(reason)")
            } else {
                diagnostics.error(value.position, "'\(value.path)': \(error)")
            }
            return nil
        }
        return image
    }

    static func decodeCellPolicy(_ value: SpecValue, diagnostics: inout DiagnosticCollector) -> String? {
        if value.stringValue == "drop_row" { return nil }
        if value.stringValue == "error" {
            diagnostics.error(value.position, failingPolicy(value.path))
            return nil
        }
        guard var m = SpecMappingReader(value, what: "'\(value.path)' (drop_row or {default: value})", diagnostics: &diagnostics) else {
            return nil
        }
        let v = m.string("default", required: true, diagnostics: &diagnostics)
        m.finish(diagnostics: &diagnostics)
        return v
    }

    static func failingPolicy(_ path: String) -> String {
        "'\(path): error' is not allowed in a pipeline: whether the run fails would depend on the data and tell the "
            + "pipeline author that some row has the problem. Use a data-independent policy (drop_row, {default: v}"
            + "\(path.hasSuffix("out_of_bounds") ? " or clamp" : "")); the data owner finds every such value, with its "
            + "line and column, with `dpflow check PIPELINE`"
    }
}
