import PrivateDataFrame
import PrivateLearning

extension RunContext {
    /// The artifact stored under `key`: built-in artifacts map to the fields the built-in stages fill, any other
    /// key to the stage-owned store. Nil when no stage produced it (the resolver has checked that every declared
    /// input is produced by an earlier stage, so a nil here means that the producer did not set it).
    public subscript<Value>(key: ArtifactKey<Value>) -> Value? {
        get {
            let erased = key.erased
            switch erased {
            case .data: return loadedFrame as? Value
            case .selection: return frame as? Value
            case .split:
                guard let trainFrame, let testFrame else { return nil }
                return SplitParts(training: trainFrame, test: testFrame) as? Value
            case .model:
                guard let model else { return nil }
                return TrainedModel(model: model, encoding: encoding) as? Value
            case .predictions:
                guard let predictions, let testLabels else { return nil }
                return Predictions(outputs: predictions, labels: testLabels, columns: predictionColumns) as? Value
            case .metrics: return metrics as? Value
            default: return artifacts[erased] as? Value
            }
        }
        set {
            let erased = key.erased
            switch erased {
            case .data: loadedFrame = newValue as? PrivateDataFrame
            case .selection: frame = newValue as? PrivateDataFrame
            case .split:
                let parts = newValue as? SplitParts
                trainFrame = parts?.training
                testFrame = parts?.test
            case .model:
                let trained = newValue as? TrainedModel
                model = trained?.model
                if let trained { encoding = trained.encoding }
            case .predictions:
                let p = newValue as? Predictions
                predictions = p?.outputs
                testLabels = p?.labels
                predictionColumns = p?.columns ?? []
            case .metrics: metrics = (newValue as? [String: RunReport.Metric]) ?? [:]
            default: artifacts[erased] = newValue
            }
        }
    }

    /// Writes a line to the run log (`log.txt` in the output folder, read by the pipeline author): only public
    /// facts and DP releases.
    public func logForAuthor(_ message: String) { log(message) }

    /// Writes a line for the operator only (stderr), never into the output folder: the place for diagnostics that
    /// depend on private values.
    public func logForOperator(_ message: String) { log.emit(.log(message)) }
}
