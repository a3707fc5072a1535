import PrivacyAccounting

/// Text columns: token ids for the model and the DP vocabulary release. The tokens themselves never leave the frame.
extension PrivateDataFrame {
    /// The rows' tokens of a text column (the frame's rows, in order).
    func textRows(_ name: String) throws -> (TextColumnSpec, [[String]]) {
        let c = try column(named: name)
        guard case let .text(spec) = c.spec.kind, case let .text(rows) = c.storage else {
            throw DataFrameError.wrongColumnType(column: name, expected: "text", actual: c.spec.kind.typeName)
        }
        guard let selection = rowSelection else { return (spec, rows) }
        return (spec, selection.map { rows[$0] })
    }

    /// The model input of a text column: `[rows, max_length]` token ids under `vocabulary` (padding 0, OOV 1), as
    /// Float32 indices for an embedding layer. A per-example transform: no privacy cost.
    /// - Throws: `DataFrameError.wrongColumnType` when the column is not text.
    package func encodedText(_ column: String, vocabulary: TokenVocabulary) throws -> EncodedMatrix {
        let (spec, rows) = try textRows(column)
        let t = spec.maxLength
        var values = [Float](repeating: Float(TokenVocabulary.paddingID), count: rows.count * t)
        for (i, tokens) in rows.enumerated() {
            for (j, token) in tokens.prefix(t).enumerated() { values[i * t + j] = Float(vocabulary.id(of: token)) }
        }
        return EncodedMatrix(rows: rows.count, columns: t, values: values, columnNames: (0..<t).map { "\(column)[\($0)]" })
    }

    /// Selects a vocabulary from a text column by DP partition selection (`DPVocabularySelection`), charging
    /// (ε, δ) of `spec` **before** reading a document. Only the selected tokens are released.
    /// - Parameters:
    ///   - column: a text column.
    ///   - spec: size, ε, δ and k = max_tokens_per_document (public).
    ///   - relation: `.addRemove` (one document added or removed); under `.replaceOne` the noise is calibrated to
    ///     ε/2 per document change (a replaced document moves 2k counts), so the charge stays ε.
    ///   - budget: ledger and job to charge.
    ///   - noise: `.secure` (default); `.seeded` only in tests (result marked not private).
    /// - Throws: `TextColumnError.invalidSpec`, `DataFrameError` (budget, column type).
    public func releaseVocabulary(of column: String, spec: DPVocabularySpec, relation: NeighbouringRelation = .addRemove,
                                  charging budget: ReleaseBudget, noise: ReleaseNoise = .secure) throws -> DPVocabularySelection.Result {
        var calibrated = spec
        if relation == .replaceOne { calibrated.epsilon = spec.epsilon / DPVocabularySpec.replaceOneFactor }
        _ = try DPVocabularySelection.parameters(calibrated)           // every check before the charge
        let c = try self.column(named: column)
        guard case .text = c.spec.kind else {
            throw DataFrameError.wrongColumnType(column: column, expected: "text", actual: c.spec.kind.typeName)
        }
        let reservation = try budget.charge(dataset: datasetID, mechanism: "discrete laplace partition selection vocabulary(\(column))",
                                            epsilon: spec.epsilon, delta: spec.delta)
        let (_, rows) = try textRows(column)
        let result = try DPVocabularySelection.select(rows, spec: calibrated, noise: noise)
        try budget.finish(reservation)
        return result
    }
}

extension PrivateDataFrame {
    /// The `size` tokens of a text column found in the most documents (ties in UTF-8 byte order), exactly: **NOT
    /// PRIVATE** (the tokens are the private texts' own). For the labelled not-private comparison runs
    /// (`vocabulary: {exact: {size: N}}`) only.
    /// - Throws: `DataFrameError.wrongColumnType`, `TextColumnError.invalidSpec`.
    package func exactVocabulary(of column: String, size: Int) throws -> TokenVocabulary {
        let (_, rows) = try textRows(column)
        var counts: [String: Int] = [:]
        for doc in rows { for token in Set(doc) { counts[token, default: 0] += 1 } }
        let ranked = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return try TokenVocabulary(tokens: ranked.prefix(max(size, 0)).map(\.key))
    }
}
