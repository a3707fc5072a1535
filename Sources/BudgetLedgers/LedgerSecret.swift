import Crypto
import Foundation

/// The 32 random bytes a ledger makes when it is created and never shows: the key of the keyed data set ids
/// and data-file fingerprints. Every ledger keeps its own, so fingerprints differ between ledgers, and none is a
/// plain hash of the data (without the secret a candidate file cannot be checked against them offline).
public struct LedgerSecret: Sendable {
    let bytes: [UInt8]

    /// A fresh secret from the system's secure generator.
    static func random() -> LedgerSecret {
        var rng = SystemRandomNumberGenerator()
        return LedgerSecret(bytes: (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) })
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// From its stored hex form; nil unless exactly 32 bytes.
    init?(hex: String) {
        guard let b = Self.bytes(hex: hex), b.count == 32 else { return nil }
        bytes = b
    }

    var hex: String { Self.hex(bytes) }

    /// Fingerprints `file` (reads it once, in 1 MiB chunks).
    /// - Throws: `LedgerError.fileUnreadable`.
    func fingerprint(file: String) throws -> DataFileFingerprint {
        let key = SymmetricKey(data: bytes)
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw LedgerError.fileUnreadable(file: file, reason: "cannot open")
        }
        defer { try? handle.close() }
        var content = HMAC<SHA256>(key: key), id = HMAC<SHA256>(key: key)
        content.update(data: Data("content\u{0}".utf8))
        id.update(data: Data("dataset-id\u{0}".utf8))
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw LedgerError.fileUnreadable(file: file, reason: error.localizedDescription)
            }
            if chunk.isEmpty { break }
            content.update(data: chunk)
            id.update(data: chunk)
        }
        let canonical = URL(fileURLWithPath: file).standardizedFileURL.resolvingSymlinksInPath().path
        var path = HMAC<SHA256>(key: key)
        path.update(data: Data(("path\u{0}" + canonical).utf8))
        return DataFileFingerprint(path: Self.hex(path.finalize()), content: Self.hex(content.finalize()),
                                   datasetID: "keyed:" + Self.hex(id.finalize()).prefix(32))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { b -> String in let s = String(b, radix: 16); return b < 16 ? "0" + s : s }.joined()
    }

    static func bytes(hex: String) -> [UInt8]? {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let b = UInt8(String(decoding: chars[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            out.append(b)
            i += 2
        }
        return out
    }

    /// `sha256:` and the plain SHA-256 of a file (library use only; see `SQLiteBudgetLedger.datasetID(forCSVAt:)`).
    static func plainDatasetID(file path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LedgerError.fileUnreadable(file: path, reason: "cannot open")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return "sha256:" + hex(hasher.finalize())
    }
}

/// Keyed fingerprints of a data file, and the keyed data set id of its content.
public struct DataFileFingerprint: Sendable, Equatable {
    /// Of the file's canonical absolute path (symbolic links resolved).
    public let path: String
    /// Of the file's bytes.
    public let content: String
    /// The data set id of a pipeline that declares none: `keyed:` and 32 hex digits (128 bits).
    public let datasetID: String
}

/// The current time, ISO 8601 UTC, as ledgers record it.
func ledgerTimestamp() -> String { ISO8601DateFormatter().string(from: Date()) }
