import Foundation
import PrivateDataFrame
import PrivateLearning
/// `load: {csv: data/x.csv, schema: {...}}` — reads a CSV into a private data frame under a public schema.
public struct LoadStage: PipelineStage {
    public static let kind = "load"
    public var position: SourcePosition
    /// CSV path as written (relative to the pipeline file).
    public var csv: String
    public var csvPosition: SourcePosition
    public var schema: SchemaSpec
    /// `idx: {images: PATH, labels: PATH, label_column: NAME}` instead of `csv` (MNIST-format files, gzipped or
    /// not); `csv` then holds the images path. The schema's `image:` declares the pixels, and the label column
    /// (a category column of the schema) the classes.
    public var idx: IDXSource?
    /// `features: {scattering: {J, L}}`: a fixed per-example map of the image applied once after loading.
    public var imageFeatures: ImageFeatureSpec?

    public struct IDXSource: Sendable {
        public var labels: String?
        public var labelColumn: String
        /// `test_images` / `test_labels`: a separate test set (e.g. MNIST's t10k files), evaluated instead of a split.
        public var testImages: String?
        public var testLabels: String?
    }

    /// The data; with a declared test set (`idx.test_images`) also the train/test parts, which `select` fills
    /// (the training rows and the declared test rows), so no `split` stage is needed or allowed.
    public var outputs: [PipelineArtifact] { idx?.testImages != nil ? [.data, .split] : [.data] }

    public static let definition = StageDefinition(
        name: kind, summary: "Read a CSV file into a private data frame under a public schema.",
        keys: [
            .init("csv", "path", required: true, "CSV file with a header row, relative to the pipeline file (or 'idx')"),
            .init("idx", "mapping", "instead of csv: {images: PATH, labels: PATH, label_column: NAME (default label), test_images: PATH, test_labels: PATH}, MNIST-format IDX files, gzipped or not; the schema declares 'image: {columns, shape, min, max}' and the label column's classes; test_images/test_labels: a separate test set, predicted and evaluated instead of a split (its rows are not training rows: the privacy unit is a training example)"),
            .init("features", "mapping", "{scattering: {J: 2, L: 8}}: replace the declared image by its scattering coefficients (Morlet, order 2; columns scatter_*), a fixed per-example map computed once after loading, free of privacy cost"),
            .init("schema", "mapping", required: true,
                  "column name (or 'default') → {type: number|integer|category|boolean, min, max, values, missing: drop_row|{default: v} (default drop_row), invalid: drop_row|{default: v} (default drop_row), out_of_bounds: clamp|drop_row (default clamp)}; rows with too few or too many fields are dropped"),
        ],
        decode: { value, diagnostics in
            guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
            let features = r.optional("features").flatMap { ImageFeatureSpec.decode($0, diagnostics: &diagnostics) }
            if let idxValue = r.optional("idx") {
                let schema = r.required("schema", diagnostics: &diagnostics).flatMap { SchemaSpec.decode($0, diagnostics: &diagnostics) }
                r.finish(diagnostics: &diagnostics)
                guard var m = SpecMappingReader(idxValue, what: "'\(idxValue.path)'", diagnostics: &diagnostics) else { return nil }
                let imagesPosition = m.optional("images")?.position ?? idxValue.position
                let images = m.string("images", required: true, diagnostics: &diagnostics)
                let labels = m.string("labels", diagnostics: &diagnostics)
                let labelColumn = m.string("label_column", diagnostics: &diagnostics) ?? "label"
                let testImages = m.string("test_images", diagnostics: &diagnostics)
                let testLabels = m.string("test_labels", diagnostics: &diagnostics)
                m.finish(diagnostics: &diagnostics)
                guard let images, let schema else { return nil }
                if schema.image == nil {
                    diagnostics.error(schema.position, "an idx source needs the schema's 'image: {columns, shape, min, max}'")
                    return nil
                }
                var stage = LoadStage(position: value.position, csv: images, csvPosition: imagesPosition, schema: schema)
                stage.idx = IDXSource(labels: labels, labelColumn: labelColumn, testImages: testImages, testLabels: testLabels)
                stage.imageFeatures = features
                return stage
            }
            let csvPosition = r.optional("csv")?.position ?? value.position
            let csv = r.string("csv", required: true, diagnostics: &diagnostics)
            let schema = r.required("schema", diagnostics: &diagnostics).flatMap { SchemaSpec.decode($0, diagnostics: &diagnostics) }
            r.finish(diagnostics: &diagnostics)
            guard let csv, let schema else { return nil }
            var stage = LoadStage(position: value.position, csv: csv, csvPosition: csvPosition, schema: schema)
            stage.imageFeatures = features
            return stage
        })

    public func resolve(_ context: inout ResolutionContext) {
        if idx != nil { return resolveIDX(&context) }
        let path = context.path(csv)
        context.csvPath = path
        context.schema = resolvedSchema(&context.diagnostics)
        // Fail closed: a run must have no value-level failure mode (the decoder refuses `error` policies).
        if !schema.schema.isDataIndependent {
            context.diagnostics.error(schema.position, "the schema has a failing value policy; a run may only clamp, default or drop rows")
        }
        do {
            let shape = try CSVShape.read(path: path)
            // Header cells the schema does not declare may be data (a file without a header row): the
            // messages never echo them and suggest only declared names. A header that does not match is not
            // passed on, so that later stages do not compare names against it.
            if let mismatch = schema.schema.headerMismatch(shape.columns) {
                switch mismatch {
                case let .missing(names) where names.count == 1:
                    let column = schema.columns.first { $0.name == names[0] }?.column
                    context.diagnostics.error(column?.position ?? schema.position,
                                              "schema declares column '\(names[0])' that the CSV header does not have")
                default:
                    context.diagnostics.error(schema.position, "'\(csv)': " + mismatch.authorMessage)
                }
            } else if imageFeatures != nil, let image = schema.image {
                let pixels = shape.columns.filter { image.matches($0) }
                let columns = featureColumns(replacing: [], others: shape.columns.filter { !image.matches($0) }, diagnostics: &context.diagnostics)
                context.csvShape = CSVShape(columns: pixels.isEmpty ? shape.columns : columns, records: shape.records)
            } else {
                context.csvShape = shape
            }
            // Only where N is public: under add_remove whether a file has 0, 1 or 2 rows is private (a run handles
            // any number of rows, even none), so failing on it would answer a question about the data.
            if context.recordCountIsPublic && shape.records < 2 {
                context.diagnostics.error(position, "the CSV file '\(csv)' has fewer than 2 records")
            }
        } catch let error as PipelineError {
            if case .unreadableFile(_, let reason) = error {
                context.diagnostics.error(csvPosition, "\(reason): '\(csv)' (resolved to \(path))")
            } else {
                context.diagnostics.error(position, error.description)
            }
        } catch {
            context.diagnostics.error(position, "cannot read '\(csv)': \(error)")
        }
    }

    /// Loads the CSV under the schema's data-independent policies: no value in the file can make this fail
    /// (out-of-bounds values are clamped or their rows dropped, missing and invalid cells take their declared
    /// default or drop their row, ragged rows are dropped). Only structural problems fail (file unreadable,
    /// header not matching, malformed quoting), with a message that names no row and no value; the data owner
    /// locates them with `dpflow check`. How many rows were dropped is private and never reported.
    public func run(_ context: inout RunContext) throws {
        let path = (csv as NSString).isAbsolutePath ? csv : (context.directory as NSString).appendingPathComponent(csv)
        let loaded: PrivateDataFrame
        do {
            if let idx, let image = schema.image {
                loaded = try loadIDXFrame(images: csv, labels: idx.labels, image: image, idx: idx, context: context)
                if let testImages = idx.testImages {
                    let test = try loadIDXFrame(images: testImages, labels: idx.testLabels, image: image, idx: idx, context: context)
                    context.declaredTestFrame = try boundingContributions(of: test, context: context)
                }
            } else {
                let frame = try PrivateDataFrame.load(csv: path, schema: schema.schema, datasetID: context.plan.dataset)
                loaded = try imageFeatures.map { try $0.apply(to: frame) } ?? frame
            }
            if let imageFeatures { context.log(imageFeatures.summary) }
        } catch let error as DataFrameError {
            throw PipelineError.invalidData(stage: Self.kind, position: position, reason: error.authorDescription)
        } catch {
            throw dataError(error, stage: Self.kind, position: position)
        }
        let frame = try boundingContributions(of: context.shardOfRank(loaded), context: context)
        try establishPublicSize(of: frame, context: &context)
        context.frame = frame
        context.loadedFrame = frame
        context.log("loaded '\(csv)': \(frame.columnNames.count) columns under the declared schema (values and row count private)")
    }
}
