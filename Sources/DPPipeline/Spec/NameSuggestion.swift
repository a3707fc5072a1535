/// Nearest-name suggestions for misspelt keys, layers, stages and so on ("Did you mean 'dense'?").
public enum NameSuggestion {
    /// The candidate closest to `name` by edit distance, if it is close enough to be a plausible typo
    /// (distance ≤ max(1, name.count / 3)), or a candidate that starts with `name`.
    public static func nearest(to name: String, in candidates: some Sequence<String>) -> String? {
        let lowered = name.lowercased()
        var best: (String, Int)?
        for candidate in candidates {
            let d = distance(lowered, candidate.lowercased())
            if best == nil || d < best!.1 { best = (candidate, d) }
        }
        guard let (candidate, d) = best else { return nil }
        if d <= max(1, lowered.count / 3) { return candidate }
        return nil
    }

    /// ` Did you mean 'x'?` or the empty string.
    public static func didYouMean(_ name: String, in candidates: some Sequence<String>) -> String {
        guard let s = nearest(to: name, in: candidates) else { return "" }
        return " Did you mean '\(s)'?"
    }

    /// Levenshtein distance over Unicode scalars.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}
