/// The two spellings of Keras model JSON.
///
/// - `keras2`: tf.keras up to TensorFlow 2.15 and the `tf-keras` package: top-level
///   `keras_version` and `backend`, `InputLayer.batch_input_shape`, dtypes as strings.
/// - `keras3`: the `keras` 3.x package: `module`/`registered_name` on every object,
///   `InputLayer.batch_shape`, dtype policies as objects.
public enum KerasGeneration: String, Sendable, CaseIterable, Codable {
    case keras2
    case keras3
}
