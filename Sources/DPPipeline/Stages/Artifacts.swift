import PrivateDataFrame
import PrivateLearning

/// The artifacts of the built-in stages, as typed keys. Third-party stages read them from the `RunContext`
/// (`context[Artifacts.model]`) and add their own keys in an extension of this namespace.
///
/// Every value here is private data or derived from it, except the trained model, which is a DP release once the
/// `train` stage has finished (post-processing of it costs nothing). A stage that writes anything derived from the
/// other artifacts into the output folder must release it with a DP mechanism and declare that cost (`cost(_:)`).
public enum Artifacts {
    /// The frame as loaded (`load`).
    public static let data = ArtifactKey<PrivateDataFrame>("data", producedBy: "load")
    /// The chosen feature and label columns (`select`).
    public static let selection = ArtifactKey<PrivateDataFrame>("selection", producedBy: "select", article: "a")
    /// The training and test parts (`split`).
    public static let split = ArtifactKey<SplitParts>("split", producedBy: "split", article: "a")
    /// The DP-trained model (`train`).
    public static let model = ArtifactKey<TrainedModel>("model", producedBy: "train", article: "a")
    /// Model outputs on the test part and the test labels (`predict`).
    public static let predictions = ArtifactKey<Predictions>("predictions", producedBy: "predict")
    /// Released metric values by name (`evaluate`).
    public static let metrics = ArtifactKey<[String: RunReport.Metric]>("metrics", producedBy: "evaluate")
}

/// The two parts of a split (without a `split` stage both are the whole selection). Private.
public struct SplitParts {
    public var training: PrivateDataFrame
    public var test: PrivateDataFrame
    public init(training: PrivateDataFrame, test: PrivateDataFrame) {
        self.training = training
        self.test = test
    }
}

/// The trained model with what a later stage needs to use it: the feature encoding it was trained with.
public struct TrainedModel {
    /// The DP-trained network (a DP release: reading it costs nothing).
    public var model: Sequential
    /// How features (and the label) were encoded for training; encode other rows the same way.
    public var encoding: EncodingOptions
    public init(model: Sequential, encoding: EncodingOptions) {
        self.model = model
        self.encoding = encoding
    }
}

/// Model outputs on the test part. Private: outputs and labels are row-level values.
public struct Predictions {
    /// `[rows, outputs]` model outputs.
    public var outputs: Tensor
    /// `[rows, 1]` labels as class indices (or values for a real target).
    public var labels: Tensor
    /// Names given to the prediction columns.
    public var columns: [String]
    public init(outputs: Tensor, labels: Tensor, columns: [String]) {
        self.outputs = outputs
        self.labels = labels
        self.columns = columns
    }
}
