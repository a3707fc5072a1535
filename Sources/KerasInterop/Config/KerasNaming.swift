/// Name conversions between Keras class names and dpflow registry names.
enum KerasNaming {
    /// Keras' own `to_snake_case`: `LayerNormalization` → `layer_normalization`,
    /// `Conv2D` → `conv2d`, `GlorotUniform` → `glorot_uniform`.
    static func snakeCase(_ name: String) -> String {
        // Step 1: "(.)([A-Z][a-z]+)" → "\1_\2".
        let chars = Array(name)
        var step1: [Character] = []
        for (i, c) in chars.enumerated() {
            if i > 0, c.isUppercase, i + 1 < chars.count, chars[i + 1].isLowercase, chars[i + 1].isASCII {
                step1.append("_")
            }
            step1.append(c)
        }
        // Step 2: "([a-z])([A-Z])" → "\1_\2".
        var step2: [Character] = []
        for (i, c) in step1.enumerated() {
            if i > 0, c.isUppercase, step1[i - 1].isLowercase { step2.append("_") }
            step2.append(c)
        }
        return String(step2).lowercased().replacingOccurrences(of: "__", with: "_")
    }

    /// `layer_normalization` → `LayerNormalization`; `conv2d` → `Conv2D`.
    static func camelCase(_ name: String) -> String {
        name.split(separator: "_").map { part -> String in
            var s = part.prefix(1).uppercased() + part.dropFirst()
            // conv2d → Conv2D, max_pooling1d → MaxPooling1D
            if let last = s.last, last == "d", s.dropLast().last?.isNumber == true { s = s.dropLast() + "D" }
            return s
        }.joined()
    }

    /// The candidate within edit distance 3 nearest to `name` (case-insensitive), if any.
    static func nearest(to name: String, in candidates: [String]) -> String? {
        let target = Array(name.lowercased())
        var best: (String, Int)?
        for candidate in candidates {
            let d = distance(target, Array(candidate.lowercased()))
            if d <= max(1, min(3, target.count / 3)), best.map({ d < $0.1 }) ?? true { best = (candidate, d) }
        }
        return best?.0
    }

    private static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
