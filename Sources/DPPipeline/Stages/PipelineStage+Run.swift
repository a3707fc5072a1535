import Foundation
import PrivateDataFrame
import PrivateLearning

/// Maps dataframe errors (which name files, lines and columns, never values) to pipeline errors.
func dataError(_ error: any Error, stage: String, position: SourcePosition) -> PipelineError {
    if let e = error as? PipelineError { return e }
    if let e = error as? DataFrameError { return .invalidData(stage: stage, position: position, reason: e.description) }
    return .stageFailed(stage: stage, position: position, reason: "\(error)")
}

extension LoadStage {
    public func run(_ context: inout RunContext) throws {
        let path = (csv as NSString).isAbsolutePath ? csv : (context.directory as NSString).appendingPathComponent(csv)
        do {
            let frame = try PrivateDataFrame.load(csv: path, schema: schema.schema, datasetID: context.plan.dataset)
            guard frame.rowCountForAccounting == context.plan.records else {
                throw PipelineError.invalidData(stage: Self.kind, position: position, reason:
                    "the loaded record count differs from the planned one (rows dropped by a 'missing: drop_row' policy?); "
                    + "DP-SGD accounting needs the public record count, so use 'missing: {default: …}' instead")
            }
            context.frame = frame
            context.loadedFrame = frame
            context.log("loaded '\(csv)': \(frame.columnNames.count) columns under the declared schema (values private)")
        } catch { throw dataError(error, stage: Self.kind, position: position) }
    }
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
            let (train, test) = try frame.split(testFraction: testFraction, seed: UInt64(seed))
            guard train.rowCountForAccounting == context.plan.trainingRecords else {
                throw PipelineError.stageFailed(stage: Self.kind, position: position, reason:
                    "the split's training size differs from the planned one; refusing to train with a mis-accounted sampling rate")
            }
            context.trainFrame = train
            context.testFrame = test
            context.log("split rows by seeded hash of position (test fraction \(testFraction), seed \(seed))")
        } catch { throw dataError(error, stage: Self.kind, position: position) }
    }
}

extension PredictStage {
    public func run(_ context: inout RunContext) throws {
        guard let model = context.model, let test = context.testFrame else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no trained model or test part")
        }
        do {
            let x = try test.encodedFeatures(context.encoding)
            let predictions = model.predict(Tensor(shape: [x.rows, x.columns], values: x.values))
            let labelOptions = EncodingOptions(numericRange: context.encoding.numericRange,
                                               categories: context.encoding.categories, label: .classIndex)
            let y = try test.encodedLabels(labelOptions)
            context.predictions = predictions
            context.testLabels = Tensor(shape: [y.rows, y.columns], values: y.values)
            context.predictionColumns = labelColumns
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
