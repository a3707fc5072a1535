extension SchemaSpec {
    /// Declared bounds must be at most `SpecLimits.maxMagnitude` (10¹⁵) in magnitude, so that the width
    /// `max − min`, squared errors and the sensitivities of sums and means stay finite in Float and Double
    /// (bounds of ±1e308 made every release on the column fail after its budget was reserved).
    static func checkLimits(min minValue: SpecValue?, max maxValue: SpecValue?, column: Column,
                            diagnostics: inout DiagnosticCollector) {
        for (value, bound) in [(minValue, column.min), (maxValue, column.max)] {
            guard let value, let bound else { continue }
            if abs(bound) > SpecLimits.maxMagnitude {
                diagnostics.error(value.position, "'\(value.path)' must be between -1e15 and 1e15 (declared bounds keep "
                                  + "widths and sensitivities finite), found \(SpecMappingReader.format(bound))")
            }
        }
    }
}
