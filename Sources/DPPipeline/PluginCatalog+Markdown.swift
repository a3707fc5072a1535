import PrivateLearning

extension PluginCatalog {
    /// Marker lines around the generated reference table in docs/plugins.md.
    public static let tableBegin = "<!-- BEGIN plugin reference: generated from the plugin declarations (PluginCatalog.markdownTable); a test keeps it in sync -->"
    public static let tableEnd = "<!-- END plugin reference -->"

    /// The reference table of every declared layer, loss and optimizer in `registry`: name (and aliases),
    /// parameters with type or default, the Keras class or target encoding, and the summary.
    public static func markdownTable(_ registry: PluginRegistry) -> String {
        var lines = ["| kind | name | parameters | Keras class / targets | what it does |", "| --- | --- | --- | --- | --- |"]
        for kind in PluginKind.allCases {
            for d in registry.declarations(of: kind) {
                let name = "`\(d.name)`" + (d.aliases.isEmpty ? "" : " (" + d.aliases.map { "`\($0)`" }.joined(separator: ", ") + ")")
                let parameters = d.parameters.filter { !$0.isHidden }.map { p in
                    "`\(p.name)` (\(p.type.text)" + (p.defaultText.map { ") = \($0)" } ?? ", required)")
                }
                let extra: String = switch kind {
                case .layer: d.keras.map { "`\($0.className)`" } ?? "—"
                case .loss: d.targetEncoding.map { "\($0.rawValue) targets" } ?? "—"
                case .optimizer: "—"
                }
                let cells = [kind.rawValue, name, parameters.isEmpty ? "—" : parameters.joined(separator: ", "), extra, d.summary]
                lines.append("| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
            }
        }
        return lines.joined(separator: "\n")
    }
}
