import Foundation

/// Small inline SVG charts for the HTML report (no scripts, no external files).
enum SVGChart {
    /// A line chart of `values` against 1…n, with axis labels.
    static func line(title: String, values: [Double], yLabel: String, color: String = "#1f77b4") -> String {
        let w = 420.0, h = 240.0, left = 56.0, right = 12.0, top = 28.0, bottom = 36.0
        let finite = values.filter(\.isFinite)
        guard !finite.isEmpty else {
            return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"60\"><text x=\"8\" y=\"30\">\(HTML.escape(title)): no data</text></svg>"
        }
        var lo = finite.min()!, hi = finite.max()!
        if lo == hi { lo -= 0.5; hi += 0.5 }
        if lo > 0 && lo < hi * 0.5 { lo = 0 }
        let n = values.count
        func x(_ i: Int) -> Double { left + (n == 1 ? 0.5 : Double(i) / Double(n - 1)) * (w - left - right) }
        func y(_ v: Double) -> Double { top + (1 - (v - lo) / (hi - lo)) * (h - top - bottom) }
        var points: [String] = []
        for (i, v) in values.enumerated() where v.isFinite { points.append(String(format: "%.1f,%.1f", x(i), y(v))) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\">"
        s += "<title>\(HTML.escape(title))</title>"
        s += "<text x=\"\(Int(w / 2))\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">\(HTML.escape(title))</text>"
        s += "<line x1=\"\(left)\" y1=\"\(h - bottom)\" x2=\"\(w - right)\" y2=\"\(h - bottom)\" stroke=\"#444\"/>"
        s += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(h - bottom)\" stroke=\"#444\"/>"
        for k in 0...4 {
            let v = lo + (hi - lo) * Double(k) / 4
            let yy = y(v)
            s += "<line x1=\"\(left - 4)\" y1=\(q(yy)) x2=\"\(w - right)\" y2=\(q(yy)) stroke=\"#ddd\"/>"
            s += "<text x=\"\(left - 6)\" y=\(q(yy + 4)) text-anchor=\"end\" font-size=\"10\">\(HTML.escape(tick(v)))</text>"
        }
        let xTicks = Array(Set([1, max(1, n / 4), max(1, n / 2), max(1, 3 * n / 4), n])).sorted()
        for t in xTicks {
            s += "<text x=\(q(x(t - 1))) y=\"\(h - bottom + 14)\" text-anchor=\"middle\" font-size=\"10\">\(t)</text>"
        }
        s += "<text x=\"\(Int((left + w - right) / 2))\" y=\"\(h - 6)\" text-anchor=\"middle\" font-size=\"11\">epoch</text>"
        s += "<text x=\"12\" y=\"\(Int((top + h - bottom) / 2))\" text-anchor=\"middle\" font-size=\"11\" transform=\"rotate(-90 12 \(Int((top + h - bottom) / 2)))\">\(HTML.escape(yLabel))</text>"
        s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>"
        if n <= 60 {
            for p in points {
                let c = p.split(separator: ",")
                s += "<circle cx=\"\(c[0])\" cy=\"\(c[1])\" r=\"2.5\" fill=\"\(color)\"/>"
            }
        }
        s += "</svg>"
        return s
    }

    /// Horizontal bars for metrics in [0, 1] (or any non-negative values), with an error bar of ±2 noise standard deviations.
    static func bars(title: String, items: [(label: String, value: Double, noise: Double)]) -> String {
        let w = 420.0, rowH = 28.0, left = 150.0, right = 60.0, top = 28.0
        let h = top + rowH * Double(max(items.count, 1)) + 12
        let hi = max(1.0, items.map { $0.value + 2 * $0.noise }.max() ?? 1)
        func x(_ v: Double) -> Double { left + max(0, min(v, hi)) / hi * (w - left - right) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\">"
        s += "<title>\(HTML.escape(title))</title>"
        s += "<text x=\"\(Int(w / 2))\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">\(HTML.escape(title))</text>"
        for (i, item) in items.enumerated() {
            let y0 = top + rowH * Double(i)
            s += "<text x=\"\(left - 6)\" y=\(q(y0 + 17)) text-anchor=\"end\" font-size=\"11\">\(HTML.escape(item.label))</text>"
            s += "<rect x=\"\(left)\" y=\(q(y0 + 4)) width=\(q(x(item.value) - left)) height=\"18\" fill=\"#4c9f70\"/>"
            if item.noise > 0 {
                s += "<line x1=\(q(x(item.value - 2 * item.noise))) y1=\(q(y0 + 13)) x2=\(q(x(item.value + 2 * item.noise))) y2=\(q(y0 + 13)) stroke=\"#222\" stroke-width=\"1.5\"/>"
            }
            s += "<text x=\(q(x(item.value) + 4)) y=\(q(y0 + 17)) font-size=\"11\">\(HTML.escape(tick(item.value)))</text>"
        }
        s += "</svg>"
        return s
    }

    private static func q(_ v: Double) -> String { "\"" + String(format: "%.1f", v) + "\"" }

    static func tick(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1000 || abs(v) < 0.01 { return String(format: "%.2e", v) }
        return String(format: "%.3g", v)
    }
}
