import Crypto
import Foundation

extension PrivateDataFrame {
    /// The image's pixel columns, in pixel order (file order for a CSV, `pixel_0…` for IDX).
    public var imageColumns: [String] {
        guard let image else { return [] }
        return columnNames.filter { image.matches($0) && (try? spec(of: $0))?.kind.isNumeric == true }
    }

    /// Per-example feature shape for a model: the image's `shape` when the selected features are
    /// exactly its pixel columns in order, otherwise `[encoded width]` is implied and nil is returned.
    /// Public metadata (from the schema).
    public var featureShape: [Int]? {
        guard let image, let features = featureColumns, features == imageColumns, features.count == image.pixelCount else {
            return nil
        }
        return image.shape
    }

    /// Selects the image's pixel columns as features (in pixel order) and `label` as the label.
    /// - Throws: `invalidArgument` when the frame has no declared image.
    public func selectImage(label: String? = nil) throws -> PrivateDataFrame {
        guard image != nil else { throw DataFrameError.invalidArgument("the frame has no declared image (schema 'image:')") }
        return try select(features: imageColumns, label: label)
    }

    /// Loads images (and optionally their labels) from IDX files, the format of MNIST and
    /// Fashion-MNIST (`train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`), into a frame
    /// with one number column per pixel (`image.columns` with `*` = 0, 1, …, bounds
    /// `image.min…image.max`, pixels clamped to them) and a category label column.
    ///
    /// - Parameters:
    ///   - images: the image file, `[N, H, W]` (one channel) or `[N, H, W, C]` unsigned bytes.
    ///   - labels: the label file, `[N]` unsigned bytes, or nil.
    ///   - image: the public declaration; its shape must equal the file's per-image shape.
    ///   - labelColumn: name of the label column.
    ///   - classes: declared label values (label byte k is class `classes[k]`).
    ///   - datasetID: the ledger's id; nil uses the SHA-256 of both files' bytes.
    /// - Throws: `DataFrameError.malformedIDX` / `.fileUnreadable` naming the file (never a value),
    ///   `.invalidSchema` for a shape that differs from the file's, `.shapeMismatch` when the two files
    ///   hold different numbers of items, `.invalidArgument` for a label outside the declared classes.
    public static func load(idxImages images: String, labels: String?, image: ImageSpec,
                            labelColumn: String = "label", classes: [String] = (0..<10).map(String.init),
                            datasetID: String? = nil) throws -> PrivateDataFrame {
        try image.validate()
        let imageName = images.split(separator: "/").last.map(String.init) ?? images
        let pixels = try IDXArray(contentsOf: images)
        let fileShape = Array(pixels.dimensions.dropFirst())
        let perImage = fileShape.reduce(1, *)
        guard pixels.dimensions.count >= 2, perImage == image.pixelCount,
              fileShape == image.shape || fileShape + [1] == image.shape else {
            throw DataFrameError.invalidSchema(column: "image", reason:
                "the declared shape \(image.shape) differs from the per-image shape \(fileShape) of \(imageName)")
        }
        let n = pixels.dimensions[0]
        var labelStorage: [Int32]? = nil
        if let labels {
            try Schema.validate(.category(classes), name: labelColumn)
            let labelName = labels.split(separator: "/").last.map(String.init) ?? labels
            let array = try IDXArray(contentsOf: labels)
            guard array.dimensions.count == 1 else {
                throw DataFrameError.malformedIDX(file: labelName, reason: "a label file must have one dimension")
            }
            guard array.dimensions[0] == n else {
                throw DataFrameError.shapeMismatch("\(imageName) and \(labelName) hold different numbers of items")
            }
            var out = [Int32](repeating: 0, count: n)
            for (i, b) in array.bytes.enumerated() {
                guard Int(b) < classes.count else {
                    throw DataFrameError.invalidArgument("\(labelName): a label is not one of the \(classes.count) declared classes")
                }
                out[i] = Int32(b)
            }
            labelStorage = out
        }
        // Columnar storage: pixel k of every image, clamped to the declared bounds.
        let lo = Float(image.min), hi = Float(image.max)
        var columns: [FrameColumn] = []
        columns.reserveCapacity(perImage + 1)
        pixels.bytes.withUnsafeBufferPointer { src in
            for k in 0..<perImage {
                let values = [Float](unsafeUninitializedCapacity: n) { buffer, count in
                    for i in 0..<n { buffer[i] = Swift.min(Swift.max(Float(src[i &* perImage &+ k]), lo), hi) }
                    count = n
                }
                columns.append(FrameColumn(name: image.columnName(k), spec: image.columnSpec, storage: .numeric(values)))
            }
        }
        if let labelStorage {
            guard !columns.contains(where: { $0.name == labelColumn }) else {
                throw DataFrameError.invalidArgument("the label column '\(labelColumn)' has the name of a pixel column")
            }
            columns.append(FrameColumn(name: labelColumn, spec: .category(classes), storage: .categorical(labelStorage)))
        }
        let id: String
        if let datasetID { id = datasetID } else {
            var hasher = SHA256()
            for path in [images] + (labels.map { [$0] } ?? []) {
                let digest = SHA256.hash(data: FileManager.default.contents(atPath: path) ?? Data())
                hasher.update(data: Data(digest))
            }
            id = "sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
        }
        var frame = PrivateDataFrame(columns: columns, rowCount: n, datasetID: id, source: imageName)
        frame.image = image
        return frame
    }
}

extension PrivateDataFrame {
    /// The dimensions declared by an IDX file's header (`[N, H, W]` for MNIST images), read without
    /// decoding the data: public structure for validating a pipeline before any budget is reserved.
    /// `N`, the number of items, is private under add/remove neighbours: use it only where the
    /// record count is public.
    /// - Throws: `DataFrameError.malformedIDX` / `.fileUnreadable`.
    public static func idxDimensions(path: String) throws -> [Int] {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DataFrameError.fileUnreadable(file: name, reason: "no such file or not readable")
        }
        defer { try? handle.close() }
        // A gzip header plus deflate's expansion of 4 + 4·rank bytes fits well within 64 KiB.
        let head = [UInt8]((try? handle.read(upToCount: 1 << 16)) ?? Data())
        let limits = IDXLimits()
        var header: [UInt8]
        if head.count >= 2 && head[0] == 0x1F && head[1] == 0x8B {
            let stream = try GzipStream(head, file: name, allowTruncation: true)
            header = try stream.read(count: 4)
            let rank = try IDXArray.header(header, file: name, limits: limits).rank
            return try IDXArray.dimensions(try stream.read(count: 4 * rank), rank: rank, file: name, limits: limits)
        }
        guard head.count >= 4 else { throw DataFrameError.malformedIDX(file: name, reason: "the file is shorter than the 4-byte IDX header") }
        header = Array(head[0..<4])
        let rank = try IDXArray.header(header, file: name, limits: limits).rank
        guard head.count >= 4 + 4 * rank else { throw DataFrameError.malformedIDX(file: name, reason: "the file ends inside the dimension list") }
        return try IDXArray.dimensions(Array(head[4..<(4 + 4 * rank)]), rank: rank, file: name, limits: limits)
    }
}
