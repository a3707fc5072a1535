/// Keras `Bidirectional(GRU(…))` / `Bidirectional(LSTM(…))` ↔ dpflow's flat `bidirectional`
/// layer (`layer: gru|lstm` beside the wrapped layer's options).
///
/// Keras nests the wrapped layer (`{"layer": {"class_name": "GRU", "config": {…}}, "merge_mode":
/// "concat"}`); dpflow's declaration is flat, so the importer lifts the wrapped layer's options up
/// and the writer nests them again. Only `merge_mode: concat` and no separate `backward_layer`.
enum KerasBidirectional {
    static let className = "Bidirectional"
    static let wrapped = ["GRU": "gru", "LSTM": "lstm"]

    enum Problem: Error { case option(String, String) }

    /// Keys in which Keras' automatic backward copy differs from the forward layer.
    static let copyKeys: Set<String> = ["name", "go_backwards", "trainable", "dtype", "seed"]

    /// The flat configuration: the wrapped layer's options, `layer`, and the wrapper's own keys.
    static func flatten(_ config: [String: KerasConfigValue]) throws(Problem) -> [String: KerasConfigValue] {
        guard let inner = config["layer"], let innerClass = inner["class_name"]?.stringValue,
              let registryName = wrapped[innerClass] else {
            throw .option("layer", "only a wrapped GRU or LSTM is implemented")
        }
        if let backward = config["backward_layer"], backward != .null {
            // Keras 3 writes its automatic copy out; accept it when it is that copy (same class and options).
            func options(_ layer: KerasConfigValue) -> [String: KerasConfigValue] {
                (layer["config"]?.dictionaryValue ?? [:]).filter { !copyKeys.contains($0.key) }
            }
            guard backward["class_name"] == inner["class_name"], options(backward) == options(inner) else {
                throw .option("backward_layer", "a backward layer that differs from the forward one is not implemented")
            }
        }
        var flat = inner["config"]?.dictionaryValue ?? [:]
        for key in ["name", "trainable", "dtype"] { flat[key] = config[key] }
        flat["layer"] = .string(registryName)
        flat["merge_mode"] = config["merge_mode"] ?? .string("concat")
        if flat["merge_mode"] == .null { flat["merge_mode"] = .string("concat") }
        return flat
    }

    /// Splits the flat options into the wrapped layer's class and options.
    static func split(_ parameters: [String: KerasConfigValue]) -> (className: String, options: [String: KerasConfigValue]) {
        let name = parameters["layer"]?.stringValue ?? "gru"
        let className = wrapped.first { $0.value == name }?.key ?? "GRU"
        return (className, parameters.filter { $0.key != "layer" && $0.key != "merge_mode" })
    }
}
