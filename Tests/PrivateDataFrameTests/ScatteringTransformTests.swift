import Foundation
@testable import PrivateDataFrame
import Testing

/// The scattering transform against NumPy reference values (scripts/reference/scattering.py, an independent
/// implementation with full-size inverse FFTs), its exact properties, hostile shapes, and the frame-level map.
@Suite struct ScatteringTransformTests {
    @Test(arguments: ScatteringReferenceValues.cases.map(\.name))
    func matchesTheNumPyReference(_ name: String) throws {
        let c = try #require(ScatteringReferenceValues.cases.first { $0.name == name })
        let transform = try ScatteringTransform(shape: c.shape, scales: c.J, orientations: c.L)
        #expect(transform.outputShape == c.outputShape)
        let out = transform.transform(c.input)
        #expect(out.count == c.output.count)
        let largest = c.output.map(abs).max() ?? 1
        var worst = 0.0
        for (a, b) in zip(out, c.output) { worst = max(worst, abs(Double(a) - b)) }
        // Float output of double arithmetic: a few float ulps of the largest coefficient.
        #expect(worst <= 1e-5 * max(1, largest), "\(name): largest deviation \(worst)")
    }

    @Test func fashionMNISTShapeGives81ChannelsAt7x7() throws {
        let t = try ScatteringTransform(shape: [28, 28, 1], scales: 2, orientations: 8)
        #expect(t.outputShape == [7, 7, 81])
        #expect(t.coefficientsPerChannel == 81)
        let rgb = try ScatteringTransform(shape: [9, 5, 3], scales: 1, orientations: 2)
        #expect(rgb.outputShape == [5, 3, 9])   // ⌈9/2⌉ × ⌈5/2⌉ × 3·(1 + 2)
    }

    /// Exact properties: a constant image has only its order-0 coefficients (the Morlet wavelets have zero mean),
    /// equal to the constant; the map is positively homogeneous; every output lies in [0, bound].
    @Test func constantImagesAndHomogeneityAndBound() throws {
        let t = try ScatteringTransform(shape: [12, 12, 1], scales: 2, orientations: 4)
        let k = t.coefficientsPerChannel
        let constant = t.transform([Float](repeating: 0.6, count: 144))
        for (i, v) in constant.enumerated() {
            if i % k == 0 { #expect(abs(v - 0.6) < 1e-5) } else { #expect(abs(v) < 1e-5) }
        }
        var generator = SystemRandomNumberGenerator()
        let image = (0..<144).map { _ in Float.random(in: 0...1, using: &generator) }
        let y = t.transform(image), y2 = t.transform(image.map { $0 * 0.5 })
        for (a, b) in zip(y, y2) { #expect(abs(a * 0.5 - b) <= 1e-5 * max(1, a)) }
        #expect(y.allSatisfy { $0 >= 0 && Double($0) <= t.bound })
        #expect(y.contains { $0 > 1e-3 } && y.enumerated().contains { $0.offset % k != 0 && $0.element > 1e-4 })
    }

    /// Threads split the batch: results equal the one-thread path exactly (each image is computed alone).
    @Test func threadsGiveTheSameOutput() throws {
        let t = try ScatteringTransform(shape: [8, 8, 1], scales: 2, orientations: 4)
        let count = 5
        let input = (0..<(count * 64)).map { Float(($0 * 37) % 101) / 100 }
        var one = [Float](repeating: 0, count: count * t.outputCount), two = one
        input.withUnsafeBufferPointer { src in
            one.withUnsafeMutableBufferPointer { t.transform(src, count: count, into: $0, threads: 1) }
            two.withUnsafeMutableBufferPointer { t.transform(src, count: count, into: $0, threads: 3) }
        }
        #expect(one == two)
        #expect(Array(one[0..<t.outputCount]) == t.transform(Array(input[0..<64])))
    }

    @Test func hostileShapesAndParametersThrowTypedErrors() throws {
        let bad: [([Int], Int, Int)] = [([], 2, 8), ([0, 5], 2, 8), ([5], 1, 1), ([3, 3, 3, 3], 1, 1), ([-1, 4], 1, 1),
                                        ([28, 28], 0, 8), ([28, 28], 7, 8), ([28, 28], 2, 0), ([28, 28], 2, 17),
                                        ([1 << 15, 1 << 15], 1, 1), ([8, 8, 1 << 20], 2, 8)]
        for (shape, j, l) in bad {
            #expect(throws: DataFrameError.self, "\(shape) J \(j) L \(l)") {
                try ScatteringTransform(shape: shape, scales: j, orientations: l)
            }
        }
        // Degenerate but valid: one pixel, a one-pixel-high strip (reflection of a size-1 axis).
        let tiny = try ScatteringTransform(shape: [1, 1], scales: 1, orientations: 1)
        #expect(tiny.transform([0.5]).count == tiny.outputCount)
        let strip = try ScatteringTransform(shape: [1, 7, 2], scales: 2, orientations: 3)
        #expect(strip.transform([Float](repeating: 1, count: 14)).allSatisfy { $0.isFinite })
        #expect(ScatteringTransform.reflect(-1, 5) == 1 && ScatteringTransform.reflect(5, 5) == 3
                && ScatteringTransform.reflect(-9, 5) == 1 && ScatteringTransform.reflect(3, 1) == 0)
    }

    /// The frame-level map replaces the pixel columns by `scatter_*` columns declared as an image with public
    /// bounds, keeps the label, and computes each row from that row alone (pixels scaled by declared bounds).
    @Test func frameScatteringReplacesPixelColumns() throws {
        let images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 4] + (0..<48).map { UInt8(($0 * 53) % 256) }
        let labels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 3, 1, 0, 2]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scatter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ip = dir.appendingPathComponent("i.idx").path, lp = dir.appendingPathComponent("l.idx").path
        try Data(images).write(to: URL(fileURLWithPath: ip)); try Data(labels).write(to: URL(fileURLWithPath: lp))
        let image = ImageSpec(columns: "pixel_*", shape: [4, 4, 1], min: 0, max: 255)
        let frame = try PrivateDataFrame.load(idxImages: ip, labels: lp, image: image, classes: ["a", "b", "c"])
        let scattered = try frame.scattering(scales: 1, orientations: 2, threads: 2)
        let t = try ScatteringTransform(shape: [4, 4, 1], scales: 1, orientations: 2)
        #expect(scattered.image?.shape == t.outputShape)
        #expect(scattered.image?.max == t.bound)
        #expect(scattered.columnNames == (0..<t.outputCount).map { "scatter_\($0)" } + ["label"])
        for row in 0..<3 {
            let pixels = (0..<16).map { Float(images[16 + row * 16 + $0]) / 255 }
            let expected = t.transform(pixels)
            for k in 0..<t.outputCount {
                guard case let .numeric(values) = try scattered.column(named: "scatter_\(k)").storage else {
                    Issue.record("not numeric"); return
                }
                #expect(abs(values[row] - expected[k]) < 1e-6)
            }
        }
        // A view (rows 2, 0) is transformed row by row, in its order.
        let view = PrivateDataFrame(columns: frame.columns, rowCount: 3, datasetID: "x", source: "x", rowSelection: [2, 0])
        var v = view
        v.image = image
        let sv = try v.scattering(scales: 1, orientations: 2, threads: 1)
        guard case let .numeric(a) = try sv.column(named: "scatter_0").storage,
              case let .numeric(b) = try scattered.column(named: "scatter_0").storage else { Issue.record("not numeric"); return }
        #expect(a == [b[2], b[0]])
        #expect(throws: DataFrameError.self) { try PrivateDataFrame(columns: [], rowCount: 0, datasetID: "x", source: "x").scattering(scales: 2, orientations: 8) }
    }
}
