/// What dpflow knows about each Keras layer class it imports and exports.
///
/// Classes not listed here are still imported when a registered plugin has their snake-case
/// name (`MyGate` → `my_gate`); their options are passed to it unchanged.
struct KerasLayerRule: Sendable {
    /// Keras class name (`Dense`).
    var className: String
    /// dpflow registry name (`dense`).
    var registryName: String
    /// Keras options handed to the registry factory under the same name.
    var options: Set<String>
    /// Options dpflow accepts only at one of the listed values, with the reason shown otherwise.
    var fixed: [String: (allowed: [KerasConfigValue], reason: String)] = [:]
    /// Options that must be present (not null).
    var required: [String] = []
    /// Passed-through options that take one of a few strings (`padding: valid|same`), with the strings accepted
    /// (compared case-insensitively); any other string is refused while parsing, naming the accepted ones.
    /// Activations and initializers are checked on their own and are not listed here.
    var choices: [String: [String]] = [:]
    /// Per-example output shape for a per-example input shape, when known.
    var outputShape: @Sendable (_ input: [Int], _ parameters: [String: KerasConfigValue]) -> [Int]? = { input, _ in input }
}
