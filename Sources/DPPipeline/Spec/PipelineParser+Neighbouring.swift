import PrivacyAccounting

extension PipelineParser {
    /// `privacy.neighbouring`, `privacy.public_size` and `privacy.size_epsilon` (see docs/pipelines.md).
    func decodeNeighbouring(_ r: inout SpecMappingReader, into spec: inout PrivacySpec,
                            diagnostics: inout DiagnosticCollector) {
        let names = NeighbouringRelation.allCases.map(\.name)
        if let name = r.choice("neighbouring", names, diagnostics: &diagnostics),
           let relation = NeighbouringRelation(rawValue: name) {
            spec.neighbouring = relation
        }
        let sizeValue = r.optional("public_size")
        if let sizeValue {
            guard let n = sizeValue.intValue, n >= 1 else {
                diagnostics.error(sizeValue.position, "'\(sizeValue.path)' must be a whole number ≥ 1 (the data owner's "
                                  + "declared number of records), found \(sizeValue.stringValue.map { "'\($0)'" } ?? sizeValue.typeName)")
                return
            }
            if spec.neighbouring == .replaceOne {
                diagnostics.error(sizeValue.position, "'privacy.public_size' is for neighbouring: add_remove; under "
                                  + "replace_one the number of records is public and read from the data")
            }
            spec.publicSize = n
            spec.publicSizePosition = sizeValue.position
        }
        let sizeEpsilonValue = r.optional("size_epsilon")
        if let v = sizeEpsilonValue,
           let eps = SpecMappingReader.number(v, "a finite number in (0, 10]", { $0 > 0 && $0 <= 10 }, diagnostics: &diagnostics) {
            if spec.publicSize != nil || spec.neighbouring == .replaceOne {
                diagnostics.error(v.position, "'privacy.size_epsilon' is the ε of the DP row count used under add_remove "
                                  + "without public_size; this pipeline has no such count")
            }
            spec.sizeEpsilon = eps
        }
    }
}
