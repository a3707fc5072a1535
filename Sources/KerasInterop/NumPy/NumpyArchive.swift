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

    /// Reads the `.npz` file at `url`.
    /// - Throws: `KerasInteropError.invalidNumpyArchive` when the zip cannot be read or holds
    ///   something other than `.npy` files; the `.npy` errors of `NumpyArray(npy:file:)`.
    public init(contentsOf url: URL) throws {
        let file = url.path
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            let reason = FileManager.default.fileExists(atPath: file) ? "not a zip archive" : "the file does not exist"
            throw KerasInteropError.invalidNumpyArchive(file: file, reason: reason)
        }
        var entries: [Entry] = []
        for entry in archive where entry.type == .file {
            let path = entry.path
            guard path.hasSuffix(".npy") else {
                throw KerasInteropError.invalidNumpyArchive(file: file, reason: "entry '\(path)' is not a .npy file")
            }
            var data = Data()
            do {
                _ = try archive.extract(entry) { data.append($0) }
            } catch {
                throw KerasInteropError.invalidNumpyArchive(file: file, reason: "entry '\(path)' cannot be extracted (\(error))")
            }
            let array = try NumpyArray(npy: data, file: "\(file):\(path)")
            entries.append(Entry(name: String(path.dropLast(4)), array: array))
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
