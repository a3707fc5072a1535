extension PipelineParser {
    /// `privacy.unit`, `privacy.max_rows_per_unit` and `privacy.public_units` (docs/privacy-unit.md): the privacy unit
    /// column, the public bound k on its rows and the public number of units. Checked here without data: both of
    /// unit and k or neither, add_remove only, `public_units` instead of `public_size`.
    func decodePrivacyUnit(_ r: inout SpecMappingReader, into spec: inout PrivacySpec, diagnostics: inout DiagnosticCollector) {
        let unitValue = r.optional("unit")
        let kValue = r.optional("max_rows_per_unit")
        let unitsValue = r.optional("public_units")
        if let unitValue {
            if let name = unitValue.stringValue, unitValue.mappingEntries == nil, !name.isEmpty {
                spec.unit = name
                spec.unitPosition = unitValue.position
            } else {
                diagnostics.error(unitValue.position, "'\(unitValue.path)' must be a column name, found \(unitValue.typeName)")
            }
        }
        if let kValue {
            if let k = kValue.intValue, (1...1_000_000).contains(k) {
                spec.maxRowsPerUnit = k
            } else {
                diagnostics.error(kValue.position, "'\(kValue.path)' must be a whole number in 1…1000000 (the public bound on "
                                  + "the rows one unit contributes), found \(kValue.stringValue.map { "'\($0)'" } ?? kValue.typeName)")
            }
        }
        switch (unitValue, kValue) {
        case (let u?, nil):
            diagnostics.error(u.position, "'privacy.unit' needs 'privacy.max_rows_per_unit: k', the public bound on the rows "
                              + "one unit contributes (units with more rows keep a random k)")
        case (nil, let k?):
            diagnostics.error(k.position, "'privacy.max_rows_per_unit' needs 'privacy.unit: COLUMN' (without a unit, one row "
                              + "is one unit)")
        default: break
        }
        if let u = unitValue, spec.neighbouring == .replaceOne {
            diagnostics.error(u.position, "'privacy.unit' is for neighbouring: add_remove (a whole unit added or removed); "
                              + "replace_one is not supported with a privacy unit")
        }
        if let u = unitValue, let sizePosition = spec.publicSizePosition {
            diagnostics.error(sizePosition, "with 'privacy.unit' declare the public number of units as 'privacy.public_units' "
                              + "(q and the steps count units), not 'public_size'")
            _ = u
        }
        if let unitsValue {
            guard unitValue != nil else {
                diagnostics.error(unitsValue.position, "'privacy.public_units' needs 'privacy.unit: COLUMN'")
                return
            }
            guard let n = unitsValue.intValue, n >= 1 else {
                diagnostics.error(unitsValue.position, "'\(unitsValue.path)' must be a whole number ≥ 1 (the data owner's "
                                  + "declared number of units), found \(unitsValue.stringValue.map { "'\($0)'" } ?? unitsValue.typeName)")
                return
            }
            if spec.sizeEpsilon != PrivacySpec.defaultSizeEpsilon {
                diagnostics.error(unitsValue.position, "'privacy.size_epsilon' is the ε of the DP count of units used without "
                                  + "public_units; this pipeline declares public_units")
            }
            spec.publicSize = n
            spec.publicSizePosition = unitsValue.position
        }
    }
}

extension RecordCountSource {
    /// `describe(_:)` in units when the pipeline declares a privacy unit: the public number is then of units
    /// (`public_units`, or a DP count of distinct units).
    public func describe(_ count: Int?, userLevel: Bool) -> String {
        guard userLevel else { return describe(count) }
        switch self {
        case .data: return describe(count)
        case .declared: return "\(count.map(String.init) ?? "?") units, declared public (privacy.public_units)"
        case .dpCount(let eps):
            return count.map { "\($0) units, a DP count of distinct units (ε = \(PrivacyFormat.string(eps)))" }
                ?? "a DP count of distinct units at run time (ε = \(PrivacyFormat.string(eps))); the realised number is private"
        }
    }
}
