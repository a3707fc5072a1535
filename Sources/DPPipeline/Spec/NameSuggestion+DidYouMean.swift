import PrivateLearning

extension NameSuggestion {
    /// ` Did you mean 'x'?` for the nearest candidate (see `nearest(to:in:)`), or the empty string.
    static func didYouMean(_ name: String, in candidates: some Sequence<String>) -> String {
        guard let s = nearest(to: name, in: Array(candidates)) else { return "" }
        return " Did you mean '\(s)'?"
    }
}
