/// One problem found in a pipeline file, printed like a compiler diagnostic:
/// `pipelines/x.yaml:7:9: error: unknown layer 'dens'. Did you mean 'dense'?`
///
/// Messages name keys, stages, layers and columns, never values read from the data.
public struct PipelineDiagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case error, warning, note }

    public var position: SourcePosition
    public var severity: Severity
    public var message: String

    public init(_ position: SourcePosition, _ message: String, severity: Severity = .error) {
        self.position = position
        self.message = message
        self.severity = severity
    }

    public var description: String { "\(position): \(severity.rawValue): \(message)" }
}

/// Collects diagnostics while a pipeline is decoded and resolved, so that every problem is reported at once.
public struct DiagnosticCollector: Sendable {
    public private(set) var diagnostics: [PipelineDiagnostic] = []

    public init() {}

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    public mutating func error(_ position: SourcePosition, _ message: String) {
        diagnostics.append(PipelineDiagnostic(position, message))
    }

    public mutating func warning(_ position: SourcePosition, _ message: String) {
        diagnostics.append(PipelineDiagnostic(position, message, severity: .warning))
    }

    public mutating func append(contentsOf other: [PipelineDiagnostic]) {
        diagnostics.append(contentsOf: other)
    }

    /// Diagnostics in file order (line, then column); of several errors at one position only the first is kept
    /// (phase a's range check and a plugin factory's check of the same value say the same thing).
    public var sorted: [PipelineDiagnostic] {
        var seen = Set<SourcePosition>()
        let unique = diagnostics.filter { seen.insert($0.position).inserted }
        return unique.enumerated().sorted { a, b in
            let pa = a.element.position, pb = b.element.position
            if pa.file != pb.file { return pa.file < pb.file }
            if pa.line != pb.line { return pa.line < pb.line }
            if pa.column != pb.column { return pa.column < pb.column }
            return a.offset < b.offset
        }.map(\.element)
    }
}
