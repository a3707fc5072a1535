import Foundation

/// Locates the committed fixtures (Fixtures/, copied into the test bundle).
enum FixtureFiles {
    static var root: URL {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            fatalError("Fixtures folder missing from the test bundle")
        }
        return url
    }

    static func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    /// A fresh, empty temporary directory for files a test writes.
    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("dpflow-keras-tests-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
