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
        return kind == .ignore ? 0 : 1
    }

    /// Encodes the feature columns, scaled by declared bounds only.
    package func encodedFeatures(_ options: EncodingOptions = EncodingOptions()) throws -> EncodedMatrix {
        let names = try featureNames()
        guard !names.isEmpty else { throw DataFrameError.invalidArgument("no feature columns selected") }
        let cols = try names.map { try column(named: $0) }
        let width = cols.reduce(0) { $0 + Self.width(of: $1.spec.kind, categories: options.categories) }
        var values = [Float](repeating: 0, count: rowCount * width)
        var names2: [String] = []
        var offset = 0
        values.withUnsafeMutableBufferPointer { out in
            for c in cols {
                switch c.storage {
                case let .numeric(v):
                    let (scale, shift) = Self.affine(c.spec.kind, options.numericRange)
                    for i in 0..<rowCount { out[i &* width &+ offset] = v[i] * scale + shift }
                    names2.append(c.name); offset += 1
                case let .categorical(v):
                    if options.categories == .oneHot, case let .category(vals) = c.spec.kind {
                        for i in 0..<rowCount { out[i &* width &+ offset &+ Int(v[i])] = 1 }
                        names2 += vals.map { "\(c.name)=\($0)" }
                        offset += vals.count
                    } else {
                        for i in 0..<rowCount { out[i &* width &+ offset] = Float(v[i]) }
                        names2.append(c.name); offset += 1
                    }
                }
            }
        }
        return EncodedMatrix(rows: rowCount, columns: width, values: values, columnNames: names2)
    }

    /// Encodes the label column.
    package func encodedLabels(_ options: EncodingOptions = EncodingOptions()) throws -> EncodedMatrix {
        let c = try column(named: try requireLabel())
        switch c.storage {
        case let .numeric(v):
            if options.label == .scaled {
                let (scale, shift) = Self.affine(c.spec.kind, options.numericRange)
                return EncodedMatrix(rows: rowCount, columns: 1, values: v.map { $0 * scale + shift }, columnNames: [c.name])
            }
            return EncodedMatrix(rows: rowCount, columns: 1, values: v, columnNames: [c.name])
        case let .categorical(v):
            if options.label == .oneHot, case let .category(vals) = c.spec.kind {
                var out = [Float](repeating: 0, count: rowCount * vals.count)
                for i in 0..<rowCount { out[i * vals.count + Int(v[i])] = 1 }
                return EncodedMatrix(rows: rowCount, columns: vals.count, values: out,
                                     columnNames: vals.map { "\(c.name)=\($0)" })
            }
            return EncodedMatrix(rows: rowCount, columns: 1, values: v.map { Float($0) }, columnNames: [c.name])
        }
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
