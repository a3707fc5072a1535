import Foundation

/// Hard caps applied while reading a `.npz` weights archive, checked against each entry's
/// declared uncompressed size *before* it is inflated (zip-bomb defence).
public struct NumpyArchiveLimits: Sendable, Equatable {
    /// Largest declared uncompressed size of one entry, in bytes.
    public var maximumEntryBytes: UInt64
    /// Largest sum of declared uncompressed sizes over all entries, in bytes.
    public var maximumTotalBytes: UInt64
    /// Largest number of `.npy` entries.
    public var maximumEntries: Int

    /// Largest element size of a dtype the reader accepts (`<f8`, `<i8`): bounds a `.npy` by its element count.
    public static let maximumElementBytes = 8
    /// Room for the `.npy` magic, version and header (numpy writes ≤ 64 KiB; we allow 1 MiB).
    public static let maximumHeaderBytes: UInt64 = 1 << 20

    public init(maximumEntryBytes: UInt64, maximumTotalBytes: UInt64, maximumEntries: Int) {
        self.maximumEntryBytes = maximumEntryBytes
        self.maximumTotalBytes = maximumTotalBytes
        self.maximumEntries = maximumEntries
    }

    /// 4 GiB in total (at most a quarter of physical memory), each entry likewise, 100 000 entries:
    /// enough for any model within dpflow's parameter limit (10⁹ float32 = 4 GB), never more than
    /// the machine can hold.
    public static var standard: NumpyArchiveLimits {
        let quarter = ProcessInfo.processInfo.physicalMemory / 4
        let total = min(UInt64(4) << 30, max(quarter, UInt64(64) << 20))
        return NumpyArchiveLimits(maximumEntryBytes: total, maximumTotalBytes: total, maximumEntries: 100_000)
    }
}
