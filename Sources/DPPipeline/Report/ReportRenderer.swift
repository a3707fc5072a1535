import Foundation

/// Renders a `RunReport` as a self-contained HTML page (inline CSS and SVG, no scripts, readable offline)
/// and as pretty-printed JSON. The HTML is also well-formed XML.
public enum ReportRenderer {
    /// `report.json` bytes (sorted keys, pretty-printed).
    public static func json(_ report: RunReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(report)
    }

    /// `report.html` text. `log` is the run's log (already free of data values); `pipelineText` the YAML.
    public static func html(_ report: RunReport, log: String, pipelineText: String) -> String {
        let e = HTML.escape
        var h = """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
        <head>
        <meta charset="utf-8"/>
        <title>dpflow report: \(e(report.pipeline.name))</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; padding: 0 1em; }
        h1 { margin-bottom: 0.2em; }
        table { border-collapse: collapse; margin: 0.5em 0 1.5em 0; }
        th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: left; }
        th { background: #f3f3f3; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .banner { font-size: 2.2em; font-weight: bold; padding: 0.5em; margin: 1em 0; text-align: center; }
        .notprivate { background: #b00020; color: white; }
        .private { background: #e6f4ea; color: #0b5d1e; font-size: 1.3em; }
        .charts svg { margin: 0.5em 1em 0.5em 0; border: 1px solid #eee; }
        pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
        .muted { color: #666; }
        </style>
        </head>
        <body>
        <h1>\(e(report.pipeline.name))</h1>
        <p class="muted">\(e(report.pipeline.file)) · status \(e(report.status)) · started \(e(report.startedAt)) · finished \(e(report.finishedAt))</p>

        """
        if report.privacy.private {
            h += "<div class=\"banner private\">Differentially private: ε = \(PrivacyFormat.string(report.privacy.epsilon)), δ = \(PrivacyFormat.string(report.privacy.delta))</div>\n"
        } else {
            h += "<div class=\"banner notprivate\">NOT PRIVATE</div>\n<ul>\n"
            for reason in report.privacy.notPrivateReasons { h += "<li>\(e(reason))</li>\n" }
            h += "</ul>\n"
        }
        if let d = report.pipeline.description { h += "<p>\(e(d))</p>\n" }

        h += "<h2>Privacy</h2>\n<table>\n"
        h += row("total ε spent by this run", PrivacyFormat.string(report.privacy.epsilon))
        h += row("total δ", PrivacyFormat.string(report.privacy.delta))
        h += row("data set (ledger id)", report.privacy.dataset)
        h += row("accountant (training)", report.privacy.accountant)
        if let n = report.privacy.neighbouring {
            h += row("neighbouring relation", n + (report.privacy.neighbouringSummary.map { " — " + $0 } ?? ""))
        }
        if let r = report.privacy.records { h += row("number of records (public)", r) }
        if let u = report.privacy.privacyUnit { h += row("privacy unit", u) }
        for r in report.stageResults ?? [] {
            h += row("\(r.name) (stage \(r.stage)\(r.private ? "" : ", NOT PRIVATE"))", PrivacyFormat.string(r.value) + " — " + r.detail)
        }
        h += row("composition", report.privacy.composition)
        if let g = report.privacy.ledgerGrantedEpsilon { h += row("ledger: ε granted", PrivacyFormat.string(g)) }
        if let s = report.privacy.ledgerSpentEpsilon { h += row("ledger: ε spent after this run", PrivacyFormat.string(s)) }
        h += "</table>\n"

        let timed = report.stages.contains { $0.seconds != nil }
        h += "<h2>Stages</h2>\n<table>\n<tr><th>stage</th><th>ε</th><th>δ</th><th>what</th>\(timed ? "<th>seconds</th>" : "")</tr>\n"
        for s in report.stages {
            let seconds = timed ? "<td class=\"num\">\(s.seconds.map { String(format: "%.2f", $0) } ?? "")</td>" : ""
            h += "<tr><td>\(e(s.name))</td><td class=\"num\">\(PrivacyFormat.string(s.epsilon))</td><td class=\"num\">\(PrivacyFormat.string(s.delta))</td><td>\(e(s.detail))</td>\(seconds)</tr>\n"
        }
        h += "</table>\n"

        if !report.metrics.isEmpty {
            h += "<h2>Metrics</h2>\n<table>\n<tr><th>metric</th><th>value</th><th>private</th><th>mechanism</th><th>noise std</th>"
                + "<th>granularity</th><th>95% CI</th><th>ε</th></tr>\n"
            for (name, m) in report.metrics.sorted(by: { $0.key < $1.key }) {
                h += "<tr><td>\(e(name))</td><td class=\"num\">\(fmt(m.value))</td><td>\(m.private ? "yes" : "<strong>NO</strong>")</td>"
                    + "<td>\(e(m.mechanism))</td><td class=\"num\">\(fmt(m.noiseScale))</td>"
                    + "<td class=\"num\">\(e(m.granularity.map(Self.granularity) ?? "—"))</td>"
                    + "<td class=\"num\">\(m.confidenceInterval.map { "[\(fmt($0[0])), \(fmt($0[1]))]" } ?? "—")</td>"
                    + "<td class=\"num\">\(PrivacyFormat.string(m.epsilon))</td></tr>\n"
            }
            h += "</table>\n"
            if report.metrics.values.contains(where: { $0.granularity != nil }) {
                h += "<p class=\"muted\">granularity: the public grid (a power of two) of a DP release. Counts, sums and histogram "
                    + "bins are released as an integer multiple of it; for ratios (mean, accuracy, errors) it is the grid of the "
                    + "noisy numerator sum.</p>\n"
            }
        }

        h += "<div class=\"charts\">\n"
        if let t = report.training, !t.epochs.isEmpty {
            h += SVGChart.line(title: Self.lossTitle(t), values: t.epochs.map(\.loss), yLabel: "loss") + "\n"
            h += SVGChart.line(title: "Training ε spent per epoch (\((t.epsilonAccountant ?? report.privacy.accountant).uppercased()) accountant)", values: t.epochs.map(\.epsilon), yLabel: "ε", color: "#d62728") + "\n"
        }
        if !report.metrics.isEmpty {
            h += SVGChart.bars(title: "Metrics (bar: value; line: ±2 noise std)",
                               items: report.metrics.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value.value, $0.value.noiseScale) }) + "\n"
        }
        h += "</div>\n"

        if let t = report.training {
            h += "<h2>Model and training</h2>\n<table>\n"
            h += row("layers", t.layers.joined(separator: " → "))
            h += row("parameters", String(t.parameters))
            h += row("training examples (N, public)", String(t.examples))
            h += row("expected batch size (B)", String(t.batchSize))
            h += row("sampling rate q = B/N", fmt(t.samplingRate))
            h += row("steps", String(t.steps))
            h += row("noise multiplier σ", fmt(t.noiseMultiplier))
            h += row("L2 norm clip C", fmt(t.l2NormClip))
            if let search = t.search {
                h += row("hyperparameter search", "K ~ \(search.trialDistribution) (realised K not released); one trial ε = "
                         + "\(PrivacyFormat.string(search.trialEpsilon)), whole search ε = \(PrivacyFormat.string(search.epsilon)) (RDP, Papernot & Steinke 2022)")
                h += row("best hyperparameters", TrainStage.describe(search.best))
            }
            if let loss = t.loss {
                h += row("gradient noise multiplier", fmt(loss.gradientNoiseMultiplier))
                h += row("training loss", Self.lossTitle(t))
            }
            h += "</table>\n"
            if !t.epochs.isEmpty {
                h += "<table>\n<tr><th>epoch</th><th>loss</th><th>± noise std</th><th>ε so far (\(e((t.epsilonAccountant ?? report.privacy.accountant).uppercased())))</th></tr>\n"
                for ep in t.epochs {
                    h += "<tr><td class=\"num\">\(ep.epoch)</td><td class=\"num\">\(fmt(ep.loss))</td><td class=\"num\">\(fmt(ep.lossNoiseStd))</td><td class=\"num\">\(PrivacyFormat.string(ep.epsilon))</td></tr>\n"
                }
                h += "</table>\n"
            }
        }

        h += "<h2>Outputs</h2>\n<ul>\n"
        for f in report.outputs { h += "<li>\(e(f))</li>\n" }
        h += "</ul>\n<h2>Versions</h2>\n<table>\n"
        for (k, v) in report.versions.sorted(by: { $0.key < $1.key }) { h += row(k, v) }
        for (k, v) in report.timings.sorted(by: { $0.key < $1.key }) { h += row("\(k) (s)", String(format: "%.3f", v)) }
        h += "</table>\n"
        if let libraries = report.pluginLibraries, !libraries.isEmpty {
            h += "<h2>Plugin libraries</h2>\n<p>Third-party code that ran with dpflow's privileges: the privacy guarantee above "
                + "holds only if these libraries are trustworthy.</p>\n<table>\n<tr><th>file</th><th>SHA-256</th><th>registered</th></tr>\n"
            for l in libraries {
                h += "<tr><td>\(e(l.path))</td><td><code>\(e(l.sha256))</code></td><td>\(e(l.registered.joined(separator: ", ")))</td></tr>\n"
            }
            h += "</table>\n"
        }
        h += "<h2>Pipeline file</h2>\n<pre>\(e(pipelineText))</pre>\n"
        h += "<h2>Log</h2>\n<pre>\(e(log))</pre>\n</body>\n</html>\n"
        return h
    }

    /// A release grid as a power of two with its decimal value: `2⁻² = 0.25`, `2⁰ = 1`, `2⁻¹⁷ ≈ 7.629e-06`
    /// (exact decimals for 2⁻¹² … 2⁵², rounded beyond). Values that are not a positive power of two print as decimals.
    static func granularity(_ g: Double) -> String {
        guard g.isNormal, g > 0, g.significandBitPattern == 0 else { return fmt(g) }
        let k = Int(g.exponent)
        let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        let power = "2" + (k < 0 ? "⁻" : "") + String(String(abs(k)).map { digits[$0.wholeNumberValue ?? 0] })
        if (0...52).contains(k) { return "\(power) = \(UInt64(g))" }
        if (-12 ..< 0).contains(k) { return "\(power) = " + String(format: "%.\(-k)f", g) }
        return "\(power) ≈ \(fmt(g))"
    }

    private static func row(_ k: String, _ v: String) -> String {
        "<tr><th>\(HTML.escape(k))</th><td>\(HTML.escape(v))</td></tr>\n"
    }

    static func fmt(_ x: Double) -> String {
        if x == 0 { return "0" }
        if !x.isFinite { return String(x) }
        if abs(x) < 1e-3 || abs(x) >= 1e6 { return String(format: "%.3e", x) }
        return String(format: "%.4g", x)
    }

    /// What the loss plot shows: a DP estimate in private runs (it may be noisy, even negative).
    static func lossTitle(_ t: RunReport.Training) -> String {
        switch t.loss?.kind {
        case "dp_estimate":
            let clip = t.loss?.clip.map { String(format: "%g", $0) } ?? "?"
            return "DP estimate of the training loss per epoch (per-example loss clipped at \(clip); noisy by design)"
        case "not_tracked": return "Training loss not tracked"
        case "exact": return "Training loss per epoch (exact: σ = 0, not private)"
        default: return "Training loss per epoch"
        }
    }
}
