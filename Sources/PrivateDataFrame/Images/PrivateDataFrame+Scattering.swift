import Foundation

extension PrivateDataFrame {
    /// The frame with its image's pixel columns replaced by the image's scattering coefficients
    /// (`ScatteringTransform`, J = `scales`, L = `orientations`), in columns `scatter_0…` declared as an image of
    /// shape `transform.outputShape` with the public bounds `[0, transform.bound]`; the other columns are kept.
    ///
    /// Pixels are first scaled to [0, 1] by the image's declared bounds (never by the data). DP meaning: a fixed
    /// per-example map (no parameter, no statistic of other rows), so it costs no privacy and keeps the neighbouring
    /// relation: removing or replacing one row removes or replaces one transformed row.
    /// - Throws: `invalidArgument` when the frame has no declared image or the shape is outside the transform's limits.
    public func scattering(scales: Int, orientations: Int, threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> PrivateDataFrame {
        guard let image else { throw DataFrameError.invalidArgument("scattering needs a declared image (schema 'image:')") }
        guard image.shape.count >= 2 else { throw DataFrameError.invalidArgument("scattering needs a 2-D image shape [height, width] or [height, width, channels]") }
        let transform = try ScatteringTransform(shape: image.shape, scales: scales, orientations: orientations)
        let pixelNames = imageColumns
        guard pixelNames.count == image.pixelCount else {
            throw DataFrameError.invalidArgument("the frame does not hold all \(image.pixelCount) pixel columns of its image")
        }
        let n = rowCount, pixels = image.pixelCount, outs = transform.outputCount
        let lo = Float(image.min), span = Float(image.max - image.min)
        let scale: Float = span > 0 ? 1 / span : 0
        // Row-major pixels in [0, 1] (the view's rows, in order).
        var input = [Float](repeating: 0, count: n * pixels)
        for (k, name) in pixelNames.enumerated() {
            guard case let .numeric(values) = try column(named: name).storage else { continue }
            for i in 0..<n {
                let v = values[rowSelection?[i] ?? i]
                input[i * pixels + k] = Swift.min(1, Swift.max(0, (v - lo) * scale))
            }
        }
        var output = [Float](repeating: 0, count: n * outs)
        input.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in transform.transform(src, count: n, into: dst, threads: threads) }
        }
        input = []
        let spec = ImageSpec(columns: "scatter_*", shape: transform.outputShape, min: 0, max: transform.bound,
                             missing: image.missing, invalid: image.invalid, outOfBounds: .clamp)
        let hi = Float(transform.bound)
        var columns: [FrameColumn] = []
        columns.reserveCapacity(outs + self.columns.count - pixels)
        for k in 0..<outs {
            let values = [Float](unsafeUninitializedCapacity: n) { buffer, count in
                for i in 0..<n { buffer[i] = Swift.min(output[i * outs + k], hi) }
                count = n
            }
            columns.append(FrameColumn(name: spec.columnName(k), spec: spec.columnSpec, storage: .numeric(values)))
        }
        output = []
        let pixelSet = Set(pixelNames)
        for c in self.columns where !pixelSet.contains(c.name) {
            guard !c.name.hasPrefix("scatter_") else {
                throw DataFrameError.invalidArgument("column '\(c.name)' clashes with the scattering columns 'scatter_*'")
            }
            let storage = rowSelection.map { c.storage.gathering($0) } ?? c.storage
            columns.append(FrameColumn(name: c.name, spec: c.spec, storage: storage))
        }
        var frame = PrivateDataFrame(columns: columns, rowCount: n, datasetID: datasetID, source: source)
        frame.image = spec
        frame.privacyUnit = privacyUnit
        return frame
    }
}
