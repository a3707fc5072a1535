import Foundation
import PrivateDataFrame
import PrivateLearning

/// Maps dataframe errors (which name files, lines and columns, never values) to pipeline errors.
func dataError(_ error: any Error, stage: String, position: SourcePosition) -> PipelineError {
    if let e = error as? PipelineError { return e }
    if let e = error as? DataFrameError { return .invalidData(stage: stage, position: position, reason: e.authorDescription) }
    return .stageFailed(stage: stage, position: position, reason: "\(error)")
}

extension SelectStage {
    public func run(_ context: inout RunContext) throws {
        guard let frame = context.frame, let chosen = context.pipeline.facts.features else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no data loaded")
        }
        do {
            context.frame = try frame.select(features: chosen, label: label)
            context.trainFrame = context.frame
            context.testFrame = context.frame
            if let declared = context.declaredTestFrame {
                context.testFrame = try declared.select(features: chosen, label: label)
                context.declaredTestFrame = nil
                context.log("selected the same columns of the declared test set")
            }
            context.log("selected \(chosen.count) feature columns and label '\(label)'")
        } catch { throw dataError(error, stage: Self.kind, position: position) }
    }
}

extension SplitStage {
    public func run(_ context: inout RunContext) throws {
        guard let frame = context.frame else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no selection")
        }
        do {
            let (train, test) = try splitParts(of: frame, context: context)
            context.trainFrame = train
            context.testFrame = test
        } catch { throw dataError(error, stage: Self.kind, position: position) }
    }
}

extension PredictStage {
    public func run(_ context: inout RunContext) throws {
        guard let model = context.model, let test = context.testFrame else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no trained model or test part")
        }
        do {
            // Encoded and predicted a chunk of rows at a time (no encoded copy of the test part).
            let predictions = try test.predictions(of: model, encoding: context.encoding)
            let labelOptions = EncodingOptions(numericRange: context.encoding.numericRange,
                                               categories: context.encoding.categories, label: .classIndex)
            let y = try test.encodedLabels(labelOptions)
            context.predictions = predictions
            context.testLabels = Tensor(shape: [y.rows, y.columns], values: y.values)
            context.predictionColumns = labelColumns
            context.decisionThreshold = threshold
            context.log("predicted \(labelColumns.joined(separator: ", ")) on the test part (private columns)")
        } catch { throw dataError(error, stage: Self.kind, position: position) }
    }
}

extension ExportStage {
    public func run(_ context: inout RunContext) throws {
        guard let model = context.model else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no trained model")
        }
        // A diverged model (NaN or infinite parameters) is never exported as if training had succeeded.
        guard model.parameters.allSatisfy({ $0.storage.allSatisfy(\.isFinite) }) else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position,
                                            reason: "the trained model has NaN or infinite parameters (training diverged; "
                                                + "lower the learning rate or the noise multiplier); nothing was exported")
        }
        guard context.writesOutputs else { return }   // a data-parallel rank other than 0 writes nothing
        switch target {
        case .model(let name):
            let file = "\(name).json"
            do {
                try model.save(to: URL(fileURLWithPath: context.options.outputDirectory + "/" + file))
            } catch {
                throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "cannot write \(file): \(error)")
            }
            context.outputs.append(file)
            context.log("exported the DP-trained model to \(file) (post-processing: no privacy cost)")
        case .external(let key, let name, let format):
            guard let exporter = context.pipeline.environment.stages.modelExporters[key] else {
                throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no '\(key)' exporter registered")
            }
            do {
                let files = try exporter.export(model, origin: context.modelOrigin, name: name, format: format,
                                                to: context.options.outputDirectory)
                context.outputs.append(contentsOf: files)
                context.log("exported the DP-trained model as \(files.joined(separator: ", "))")
            } catch {
                throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "\(error)")
            }
        }
    }
}
