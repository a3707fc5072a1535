extension PipelineResolver {
    /// What a declared privacy unit requires, checked from the pipeline file and the CSV header only (before any
    /// reservation): the unit column has its own schema entry holding exact ids — `integer` with bounds within ±2²⁴
    /// and `out_of_bounds: drop_row`, or `category` — with no `{default: …}` policy that would merge rows of different
    /// people into one unit; it is in the CSV header; the split, if any, hashes the unit (no other `by`).
    static func checkPrivacyUnit(_ spec: PipelineSpec, context: ResolutionContext, diagnostics: inout DiagnosticCollector) {
        guard let unit = spec.privacy.unit else { return }
        let position = spec.privacy.unitPosition ?? spec.privacy.position
        if let schema = context.schema {
            if !schema.declares(unit) {
                diagnostics.error(position, "the privacy unit column '\(unit)' needs its own schema entry: "
                                  + "{type: integer, min: …, max: …, out_of_bounds: drop_row} or {type: category, values: […]}")
            } else if let column = schema.column(named: unit) {
                let limit = Double(1 << 24)
                switch column.kind {
                case .integer:
                    if let lo = column.min, let hi = column.max, !(abs(lo) <= limit && abs(hi) <= limit) {
                        diagnostics.error(column.position, "the privacy unit column '\(unit)' must declare bounds within "
                                          + "±16777216 (2²⁴) so that every id is kept exactly")
                    }
                    if column.clampOutOfBounds {
                        diagnostics.error(column.position, "the privacy unit column '\(unit)' needs 'out_of_bounds: drop_row': "
                                          + "clamping would merge the ids of different units")
                    }
                case .category: break
                case .number, .boolean, .text:
                    diagnostics.error(column.position, "the privacy unit column '\(unit)' must be of type integer or category "
                                      + "(exact ids), not \(column.kind.rawValue)")
                }
                if column.missingDefault != nil || column.invalidDefault != nil {
                    diagnostics.error(column.position, "the privacy unit column '\(unit)' cannot fill missing or invalid ids with a "
                                      + "default (that would merge rows of different units into one); use drop_row")
                }
            }
        }
        if let shape = context.csvShape, !shape.columns.contains(unit) {
            diagnostics.error(position, "unknown privacy unit column '\(unit)': the CSV header does not have it")
        }
        for stage in spec.stages {
            if let split = stage as? SplitStage, let by = split.by, by != unit {
                diagnostics.error(split.byPosition ?? split.position, "with 'privacy.unit: \(unit)' the split hashes the unit "
                                  + "id so that all rows of a unit stay on one side; remove 'by: \(by)'")
            }
        }
    }
}
