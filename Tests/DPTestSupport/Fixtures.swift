import Foundation
import PrivateLearning

/// Small deterministic inputs for tests.
public enum Fixtures {
    /// A tensor of standard normal values from a seeded generator.
    public static func gaussian(shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        let g = SeededRandomSource(seed: seed)
        var gen = g
        return Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in
            scale * Float(GaussianSampling.standardNormal(using: &gen))
        })
    }

    /// Labels 0/1 from a seeded generator, shape `[n, 1]`.
    public static func binaryLabels(_ n: Int, seed: UInt64) -> Tensor {
        let g = SeededRandomSource(seed: seed)
        return Tensor(shape: [n, 1], values: (0..<n).map { _ in Float(g.next() & 1) })
    }

    /// Root of the repository, from this file's location (Tests/DPTestSupport/Fixtures.swift).
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// A numeric CSV with a header row, as rows of Float (no quoting; for shipped fixtures only).
    public static func numericCSV(_ url: URL) throws -> (header: [String], rows: [[Float]]) {
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let header = lines.removeFirst().split(separator: ",").map(String.init)
        let rows = lines.map { $0.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces))! } }
        return (header, rows)
    }
}
