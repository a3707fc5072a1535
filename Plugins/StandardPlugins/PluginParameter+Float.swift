import PrivateLearning

extension PluginParameter {
    /// A Float32 setting as the shortest decimal that reads back as the same Float
    /// (`0.001`, not `0.0010000000474974513`), so that saved and exported configurations show
    /// the value the user wrote.
    static func decimal(_ value: Float) -> PluginParameter {
        .double(Double("\(value)") ?? Double(value))
    }
}
