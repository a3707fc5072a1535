/// Nearest-name suggestions for unknown plugin and parameter names ("Did you mean 'dense'?").
public enum NameSuggestion {
    /// Levenshtein distance between two strings, compared case-insensitively.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased()), y = Array(b.lowercased())
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

    /// The candidate closest to `name`, if it is close enough to be a plausible typo
    /// (distance ≤ max(2, a third of the name's length)), or one contains the other.
    public static func nearest(to name: String, in candidates: [String]) -> String? {
        let limit = max(2, name.count / 3)
        var best: (String, Int)?
        for candidate in candidates.sorted() {
            var d = editDistance(name, candidate)
            if d > limit, candidate.lowercased().contains(name.lowercased()) || name.lowercased().contains(candidate.lowercased()) {
                d = limit
            }
            if d <= limit, best == nil || d < best!.1 { best = (candidate, d) }
        }
        return best?.0
    }
}
