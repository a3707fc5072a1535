import Foundation
import ZIPFoundation

/// The arrays of a NumPy `.npz` file (a zip archive of `.npy` files), in archive order.
///
/// `numpy.savez(path, *model.get_weights())` names its entries `arr_0.npy`, `arr_1.npy`, …; the
/// order of `arrays` is the order `numpy.load(path).values()` returns, which is what Keras'
/// `set_weights` expects. Stored and deflated entries are read, ZIP64 included.
public struct NumpyArchive: Sendable, Equatable {
    /// One named array; `name` is the entry name without the `.npy` suffix (`arr_0`).
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var array: NumpyArray

        public init(name: String, array: NumpyArray) {
            self.name = name
            self.array = array
        }
    }

    /// The entries in archive order (for `arr_<n>` names: by `n`).
    public var entries: [Entry]

    /// The arrays in entry order.
    public var arrays: [NumpyArray] { entries.map(\.array) }

    /// The array stored under `name` (without `.npy`), if any.
    public subscript(name: String) -> NumpyArray? { entries.first { $0.name == name }?.array }

    /// An archive of `arrays` named `arr_0`, `arr_1`, … as `numpy.savez(path, *arrays)` names them.
    public init(arrays: [NumpyArray]) {
        entries = arrays.enumerated().map { Entry(name: "arr_\($0.offset)", array: $0.element) }
    }

    /// An archive of named entries, kept in the given order.
    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// Reads the `.npz` file at `url` without ever inflating more than it may hold.
    ///
    /// Before an entry is inflated, its declared uncompressed size is checked against `limits`
    /// and, when given, against the largest `.npy` that could hold the expected array
    /// (`expectedElementCounts[k]` elements of at most 8 bytes plus a header) for entry `arr_k`
    /// (or the k-th entry when the names are not `arr_<k>`). Inflation then stops as soon as an
    /// entry produces more bytes than it declared, so a zip bomb costs at most its declared size.
    /// - Parameters:
    ///   - limits: hard caps on entry count and declared sizes (default: `NumpyArchiveLimits.standard`).
    ///   - expectedElementCounts: element count of each expected array in order (a model's
    ///     parameters); entries beyond it are bounded by `limits` only.
    /// - Throws: `KerasInteropError.invalidNumpyArchive` when the zip cannot be read, holds
    ///   something other than `.npy` files, or an entry is larger than allowed; the `.npy` errors
    ///   of `NumpyArray(npy:file:)`.
    public init(contentsOf url: URL, limits: NumpyArchiveLimits = .standard, expectedElementCounts: [Int]? = nil) throws {
        let file = url.path
        let archive = try Self.openArchive(url)
        var entries: [Entry] = []
        var declaredTotal: UInt64 = 0
        var ordinal = 0
        for entry in archive where entry.type == .file {
            let path = entry.path
            guard path.hasSuffix(".npy") else {
                throw KerasInteropError.invalidNumpyArchive(file: file, reason: "entry '\(path)' is not a .npy file")
            }
            guard ordinal < limits.maximumEntries else {
                throw KerasInteropError.invalidNumpyArchive(
                    file: file, reason: "more than \(limits.maximumEntries) entries (the limit for a weights archive)")
            }
            let declared = entry.uncompressedSize
            let name = String(path.dropLast(4))
            let position = name.hasPrefix("arr_") ? Int(name.dropFirst(4)) ?? ordinal : ordinal
            ordinal += 1
            var allowed = limits.maximumEntryBytes
            var what = "the limit of \(limits.maximumEntryBytes) bytes per entry"
            if let expectedElementCounts, position >= 0, position < expectedElementCounts.count {
                let (elements, overflow) = UInt64(max(0, expectedElementCounts[position]))
                    .multipliedReportingOverflow(by: UInt64(NumpyArchiveLimits.maximumElementBytes))
                let fit = overflow ? UInt64.max : elements &+ NumpyArchiveLimits.maximumHeaderBytes
                if fit < allowed {
                    allowed = fit
                    what = "the \(fit) bytes at most of a .npy holding the model's \(expectedElementCounts[position]) "
                        + "expected values for weight \(position)"
                }
            }
            guard declared <= allowed else {
                throw KerasInteropError.invalidNumpyArchive(
                    file: file, reason: "entry '\(path)' declares \(declared) uncompressed bytes, more than \(what)")
            }
            let (total, totalOverflow) = declaredTotal.addingReportingOverflow(declared)
            guard !totalOverflow, total <= limits.maximumTotalBytes else {
                throw KerasInteropError.invalidNumpyArchive(
                    file: file, reason: "the entries declare more than \(limits.maximumTotalBytes) uncompressed bytes in total")
            }
            declaredTotal = total
            // Bounded inflation: `declared` ≤ the caps above, and nothing past it is accepted.
            let capacity = Int(clamping: declared)
            var data = Data()
            data.reserveCapacity(min(capacity, 1 << 26))
            do {
                _ = try archive.extract(entry) { chunk in
                    guard chunk.count <= capacity - data.count else { throw EntryOverrun() }
                    data.append(chunk)
                }
            } catch is EntryOverrun {
                throw KerasInteropError.invalidNumpyArchive(
                    file: file, reason: "entry '\(path)' inflates to more than its declared \(declared) bytes")
            } catch {
                throw KerasInteropError.invalidNumpyArchive(file: file, reason: "entry '\(path)' cannot be extracted (\(error))")
            }
            guard data.count == capacity else {
                throw KerasInteropError.invalidNumpyArchive(
                    file: file, reason: "entry '\(path)' inflates to \(data.count) bytes, not its declared \(declared)")
            }
            let array = try NumpyArray(npy: data, file: "\(file):\(path)")
            entries.append(Entry(name: name, array: array))
        }
        // numpy.savez writes arr_0 … arr_<n> in order; sort by n in case a tool reordered the zip.
        let positions = entries.map { entry -> Int? in
            entry.name.hasPrefix("arr_") ? Int(entry.name.dropFirst(4)) : nil
        }
        if positions.allSatisfy({ $0 != nil }) {
            entries = zip(positions, entries).sorted { $0.0! < $1.0! }.map(\.1)
        }
        self.entries = entries
    }

    /// Checks that `url` is a zip of `.npy` entries within `limits` from its central directory
    /// alone, inflating nothing: for validation when no model is available to bound the arrays.
    /// - Throws: `KerasInteropError.invalidNumpyArchive` as `init(contentsOf:limits:expectedElementCounts:)`.
    public static func checkStructure(contentsOf url: URL, limits: NumpyArchiveLimits = .standard) throws {
        let file = url.path
        let archive = try openArchive(url)
        var count = 0
        var total: UInt64 = 0
        for entry in archive where entry.type == .file {
            guard entry.path.hasSuffix(".npy") else {
                throw KerasInteropError.invalidNumpyArchive(file: file, reason: "entry '\(entry.path)' is not a .npy file")
            }
            count += 1
            guard count <= limits.maximumEntries else {
                throw KerasInteropError.invalidNumpyArchive(
                    file: file, reason: "more than \(limits.maximumEntries) entries (the limit for a weights archive)")
            }
            guard entry.uncompressedSize <= limits.maximumEntryBytes else {
                throw KerasInteropError.invalidNumpyArchive(
                    file: file, reason: "entry '\(entry.path)' declares \(entry.uncompressedSize) uncompressed bytes, "
                        + "more than the limit of \(limits.maximumEntryBytes) bytes per entry")
            }
            let (sum, overflow) = total.addingReportingOverflow(entry.uncompressedSize)
            guard !overflow, sum <= limits.maximumTotalBytes else {
                throw KerasInteropError.invalidNumpyArchive(
                    file: file, reason: "the entries declare more than \(limits.maximumTotalBytes) uncompressed bytes in total")
            }
            total = sum
        }
    }

    /// Thrown inside the extraction consumer to stop inflating an entry that overruns its size.
    private struct EntryOverrun: Error {}

    /// Writes the archive as a `.npz` that `numpy.load` reads: stored (uncompressed) entries
    /// `<name>.npy` in `<f4` format, in entry order. The file is replaced atomically.
    /// - Throws: `KerasInteropError.writeFailed`.
    public func write(to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            let archive = try Archive(url: temporary, accessMode: .create)
            for entry in entries {
                let data = entry.array.npyData()
                try archive.addEntry(with: entry.name + ".npy", type: .file, uncompressedSize: Int64(data.count),
                                     modificationDate: Date(timeIntervalSince1970: 315_532_800),
                                     compressionMethod: .none) { position, size in
                    data.subdata(in: Int(position)..<(Int(position) + size))
                }
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw KerasInteropError.writeFailed(file: url.path, reason: "\(error)")
        }
        // rename(2) replaces an existing file atomically.
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw KerasInteropError.writeFailed(file: url.path, reason: String(cString: strerror(errno)))
        }
    }
}

extension NumpyArchive {
    /// Opens a zip for reading; a file that is missing or not a zip is `invalidNumpyArchive`.
    static func openArchive(_ url: URL) throws -> Archive {
        do {
            return try Archive(url: url, accessMode: .read)
        } catch {
            let reason = FileManager.default.fileExists(atPath: url.path) ? "not a zip archive" : "the file does not exist"
            throw KerasInteropError.invalidNumpyArchive(file: url.path, reason: reason)
        }
    }
}
