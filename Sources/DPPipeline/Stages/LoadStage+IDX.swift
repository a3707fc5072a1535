import Foundation
import PrivateDataFrame

extension LoadStage {
    /// Validation of an `idx` source from the files' headers only (their dimensions are structure; the item count
    /// is used only where the record count is public): the declared image shape must be the files' per-image shape,
    /// the label column a declared category column, and the label file one label per image.
    func resolveIDX(_ context: inout ResolutionContext) {
        guard let idx, let image = schema.image else { return }
        let path = context.path(csv)
        context.csvPath = path
        context.schema = resolvedSchema(&context.diagnostics)
        do {
            let dims = try PrivateDataFrame.idxDimensions(path: path)
            let perImage = Array(dims.dropFirst())
            guard dims.count >= 2, perImage == image.shape || perImage + [1] == image.shape else {
                context.diagnostics.error(schema.position, "the declared image shape \(image.shape) differs from the per-image shape \(perImage) of '\(csv)'")
                return
            }
            var columns = (0..<image.pixelCount).map(image.columnName)
            if let labels = idx.labels {
                guard let declared = schema.column(named: idx.labelColumn), declared.kind == .category else {
                    context.diagnostics.error(schema.position, "the label column '\(idx.labelColumn)' must be declared in the schema as a category column (its classes)")
                    return
                }
                _ = declared
                let labelDims = try PrivateDataFrame.idxDimensions(path: context.path(labels))
                guard labelDims.count == 1 else {
                    context.diagnostics.error(position, "'\(labels)' is not an IDX label file (one dimension)")
                    return
                }
                if context.recordCountIsPublic && labelDims[0] != dims[0] {
                    context.diagnostics.error(position, "'\(csv)' and '\(labels)' hold different numbers of items")
                }
                columns.append(idx.labelColumn)
            }
            columns = featureColumns(replacing: Array(columns.prefix(image.pixelCount)), others: Array(columns.dropFirst(image.pixelCount)),
                                     diagnostics: &context.diagnostics)
            try resolveTestSet(idx, image: image, labelled: idx.labels != nil, &context)
            if context.recordCountIsPublic && dims[0] < 2 {
                context.diagnostics.error(position, "the IDX file '\(csv)' has fewer than 2 images")
            }
            context.csvShape = CSVShape(columns: columns, records: dims[0])
        } catch let error as DataFrameError {
            context.diagnostics.error(csvPosition, error.authorDescription)
        } catch {
            context.diagnostics.error(csvPosition, "cannot read '\(csv)': \(error)")
        }
    }
}

extension LoadStage {
    /// A declared test set (`test_images`, `test_labels`): the same per-image shape as the training images, labels
    /// exactly when the training images have them, one label per image. Its item count is the size of a separate
    /// file, never a training row count.
    func resolveTestSet(_ idx: IDXSource, image: ImageSpec, labelled: Bool, _ context: inout ResolutionContext) throws {
        guard let testImages = idx.testImages else {
            if idx.testLabels != nil { context.diagnostics.error(position, "'test_labels' needs 'test_images'") }
            return
        }
        context.declaredTestSet = true
        let dims = try PrivateDataFrame.idxDimensions(path: context.path(testImages))
        let perImage = Array(dims.dropFirst())
        guard dims.count >= 2, perImage == image.shape || perImage + [1] == image.shape else {
            context.diagnostics.error(position, "the test images '\(testImages)' have the per-image shape \(perImage), not the declared \(image.shape)")
            return
        }
        guard let testLabels = idx.testLabels else {
            if labelled { context.diagnostics.error(position, "'test_images' needs 'test_labels' when the training images have labels") }
            return
        }
        if !labelled { context.diagnostics.error(position, "'test_labels' needs 'labels' for the training images") }
        let labelDims = try PrivateDataFrame.idxDimensions(path: context.path(testLabels))
        guard labelDims.count == 1 else {
            context.diagnostics.error(position, "'\(testLabels)' is not an IDX label file (one dimension)")
            return
        }
        if labelDims[0] != dims[0] {
            context.diagnostics.error(position, "'\(testImages)' and '\(testLabels)' hold different numbers of items")
        }
    }
}
