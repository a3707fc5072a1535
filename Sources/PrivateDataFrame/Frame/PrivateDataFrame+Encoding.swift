extension PrivateDataFrame {
    /// The number of encoded feature columns (model input width) for `options`; public (schema).
    public func encodedFeatureWidth(_ options: EncodingOptions = EncodingOptions()) throws -> Int {
        try featureNames().reduce(0) { $0 + Self.width(of: try column(named: $1).spec.kind, categories: options.categories) }
    }

    /// The number of encoded label columns for `options`; public (schema).
    public func encodedLabelWidth(_ options: EncodingOptions = EncodingOptions()) throws -> Int {
        let label = try requireLabel()
        if case let .category(values) = try column(named: label).spec.kind, options.label == .oneHot { return values.count }
        return 1
    }

    /// The number of classes of the label column (declared values; 2 for booleans), if it is
    /// categorical or boolean.
    public func labelClassCount() throws -> Int? {
        switch try column(named: try requireLabel()).spec.kind {
        case let .category(values): return values.count
        case .boolean: return 2
        default: return nil
        }
    }

    func featureNames() throws -> [String] {
        if let f = featureColumns { return f }
        return columns.map(\.name).filter { $0 != labelColumn }
    }

    func requireLabel() throws -> String {
        guard let l = labelColumn else {
            throw DataFrameError.invalidArgument("no label column selected; call select(features:label:) first")
        }
        return l
    }

    static func width(of kind: ColumnKind, categories: EncodingOptions.CategoryEncoding) -> Int {
        if case let .category(values) = kind, categories == .oneHot { return values.count }
        if case let .text(spec) = kind { return spec.maxLength }
        return kind == .ignore ? 0 : 1
    }

    /// Encodes the feature columns, scaled by declared bounds only.
    package func encodedFeatures(_ options: EncodingOptions = EncodingOptions()) throws -> EncodedMatrix {
        let (encoder, names) = try featureEncoder(options)
        return EncodedMatrix(rows: rowCount, columns: encoder.width, values: encoder.encode(0..<rowCount), columnNames: names)
    }

    /// Encodes the label column.
    package func encodedLabels(_ options: EncodingOptions = EncodingOptions()) throws -> EncodedMatrix {
        let (encoder, names) = try labelEncoder(options)
        return EncodedMatrix(rows: rowCount, columns: encoder.width, values: encoder.encode(0..<rowCount), columnNames: names)
    }

    /// How the feature columns become model inputs, and the encoded columns' names.
    func featureEncoder(_ options: EncodingOptions) throws -> (RowEncoder, [String]) {
        let names = try featureNames()
        guard !names.isEmpty else { throw DataFrameError.invalidArgument("no feature columns selected") }
        var slots: [RowEncoder.Slot] = [], encodedNames: [String] = []
        var offset = 0
        for c in try names.map({ try column(named: $0) }) {
            switch c.storage {
            case let .numeric(v):
                let (scale, shift) = Self.affine(c.spec.kind, options.numericRange)
                slots.append(.init(.affine(v, scale: scale, shift: shift), offset: offset))
                encodedNames.append(c.name); offset += 1
            case let .categorical(v):
                if options.categories == .oneHot, case let .category(vals) = c.spec.kind {
                    slots.append(.init(.oneHot(v), offset: offset))
                    encodedNames += vals.map { "\(c.name)=\($0)" }
                    offset += vals.count
                } else {
                    slots.append(.init(.index(v), offset: offset))
                    encodedNames.append(c.name); offset += 1
                }
            case let .text(rows):
                guard let vocabulary = options.textVocabularies[c.name], case let .text(spec) = c.spec.kind else {
                    throw DataFrameError.wrongColumnType(column: c.name, expected: "number, integer, boolean or category in a feature matrix (a text column becomes token ids under a vocabulary: EncodingOptions.textVocabularies)", actual: "text")
                }
                slots.append(.init(.tokens(rows, vocabulary, spec.maxLength), offset: offset))
                encodedNames += (0..<spec.maxLength).map { "\(c.name)[\($0)]" }
                offset += spec.maxLength
            }
        }
        return (RowEncoder(slots: slots, width: offset, selection: rowSelection), encodedNames)
    }

    /// How the label column becomes the training target, and the encoded columns' names.
    func labelEncoder(_ options: EncodingOptions) throws -> (RowEncoder, [String]) {
        let c = try column(named: try requireLabel())
        let slot: RowEncoder.Slot.Kind, names: [String]
        switch c.storage {
        case let .numeric(v):
            if options.label == .scaled {
                let (scale, shift) = Self.affine(c.spec.kind, options.numericRange)
                slot = .affine(v, scale: scale, shift: shift)
            } else {
                slot = .raw(v)
            }
            names = [c.name]
        case let .categorical(v):
            if options.label == .oneHot, case let .category(vals) = c.spec.kind {
                slot = .oneHot(v)
                names = vals.map { "\(c.name)=\($0)" }
            } else {
                slot = .index(v)
                names = [c.name]
            }
        case .text:
            throw DataFrameError.wrongColumnType(column: c.name, expected: "a label of type number, integer, boolean or category", actual: "text")
        }
        return (RowEncoder(slots: [.init(slot, offset: 0)], width: names.count, selection: rowSelection), names)
    }

    /// `x·scale + shift` maps the declared bounds onto the target interval.
    static func affine(_ kind: ColumnKind, _ range: EncodingOptions.NumericRange) -> (Float, Float) {
        guard let b = kind.bounds else { return (1, 0) }
        let width = b.upperBound - b.lowerBound
        switch range {
        case .unit: return (Float(1 / width), Float(-b.lowerBound / width))
        case .symmetric: return (Float(2 / width), Float(-2 * b.lowerBound / width - 1))
        }
    }
}

/// Encodes rows of a frame from its columns on demand, so that a training batch is gathered without an encoded copy
/// of the whole frame. The one code path of `encodedFeatures`, `encodedLabels` and `FrameBatchSampler`: a batch
/// gathered on demand holds exactly the values of the same rows of the encoded matrix.
struct RowEncoder: Sendable {
    struct Slot: Sendable {
        enum Kind: Sendable {
            /// `x·scale + shift` (numbers scaled by their declared bounds).
            case affine([Float], scale: Float, shift: Float)
            /// The value as stored.
            case raw([Float])
            /// One column per declared value: 1 at the value's index.
            case oneHot([Int32])
            /// The value's index as a number.
            case index([Int32])
            /// A text column's tokens as `length` ids under the vocabulary (0 padding, 1 unknown), from the row's
            /// tokens on demand (no id matrix of the whole frame).
            case tokens([[String]], TokenVocabulary, Int)
        }
        var kind: Kind
        /// First encoded column of this slot.
        var offset: Int
        init(_ kind: Kind, offset: Int) {
            self.kind = kind
            self.offset = offset
        }
    }

    let slots: [Slot]
    /// Encoded columns per row.
    let width: Int
    /// The frame's rows in the columns' storage (a view's `rowSelection`); nil: the storage's rows.
    let selection: [Int]?

    /// The encoded rows `rows` (frame rows, in that order), row-major: `rows.count × width` values.
    func encode<Rows: Collection<Int>>(_ rows: Rows) -> [Float] {
        let width = self.width, selection = self.selection
        var out = [Float](repeating: 0, count: rows.count * width)
        out.withUnsafeMutableBufferPointer { out in
            for slot in slots {
                let offset = slot.offset
                switch slot.kind {
                case let .affine(v, scale, shift):
                    for (k, i) in rows.enumerated() { out[k &* width &+ offset] = Self.affine(v[selection?[i] ?? i], scale, shift) }
                case let .raw(v):
                    for (k, i) in rows.enumerated() { out[k &* width &+ offset] = v[selection?[i] ?? i] }
                case let .oneHot(v):
                    for (k, i) in rows.enumerated() { out[k &* width &+ offset &+ Int(v[selection?[i] ?? i])] = 1 }
                case let .index(v):
                    for (k, i) in rows.enumerated() { out[k &* width &+ offset] = Float(v[selection?[i] ?? i]) }
                case let .tokens(v, vocabulary, length):
                    for (k, i) in rows.enumerated() {
                        for (j, token) in v[selection?[i] ?? i].prefix(length).enumerated() {
                            out[k &* width &+ offset &+ j] = Float(vocabulary.id(of: token))
                        }
                    }
                }
            }
        }
        return out
    }

    @inline(__always)
    static func affine(_ x: Float, _ scale: Float, _ shift: Float) -> Float { x * scale + shift }
}
