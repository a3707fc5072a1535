import PrivateLearning

// dpflow's own layers whose example isolation is vetted (reviewed, and checked by
// `LayerConformance` in PrivateLearningTests): models built from them skip the empirical
// perturbation check. BatchNormalization mixes examples and is not listed. Third-party layers
// cannot conform (the protocol is package-internal) and are always checked.
extension Dense: VettedExampleIsolation {}
extension Activation: VettedExampleIsolation {}
extension Dropout: VettedExampleIsolation {}
extension Flatten: VettedExampleIsolation {}
extension Embedding: VettedExampleIsolation {}
extension LayerNormalization: VettedExampleIsolation {}
extension Convolution: VettedExampleIsolation {}
extension Pooling: VettedExampleIsolation {}
extension GlobalPooling: VettedExampleIsolation {}
extension Reshape: VettedExampleIsolation {}
extension GroupNormalization: VettedExampleIsolation {}
extension Recurrent: VettedExampleIsolation {}
extension Bidirectional: VettedExampleIsolation {}
