import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Errors of the MPI communicator. Any failure of a collective aborts the whole job (`MPI_Abort`) after it
/// is reported, so that no rank waits forever for one that died.
public enum MPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libmpi could not be loaded or lacks a symbol (Open MPI is needed only for `mpirun` runs).
    case unavailable(String)
    /// An MPI call returned an error code.
    case call(String, code: Int32)
    /// Ranks passed buffers of different lengths, or a buffer too large for one MPI call.
    case invalidBuffer(String)

    public var description: String {
        switch self {
        case let .unavailable(why):
            return "MPI: \(why). Running under mpirun needs Open MPI (Debian: openmpi-bin, libopenmpi3; scripts/install-deps.sh)"
        case let .call(name, code): return "MPI: \(name) failed with error code \(code); the job is aborted"
        case let .invalidBuffer(why): return "MPI: \(why)"
        }
    }
}

/// The MPI world of a data-parallel job (Open MPI): init/finalize, rank and size, element-wise sums and a
/// broadcast from rank 0.
///
/// Open MPI's `libmpi.so.40` is loaded with `dlopen` **only** when a process is started by `mpirun` (see
/// `MPIEnvironment`), so a single-process `dpflow` neither links nor needs MPI. The handles of Open MPI's
/// predefined objects (`MPI_COMM_WORLD`, `MPI_FLOAT`, `MPI_DOUBLE`, `MPI_SUM`) are the addresses of its
/// exported globals (`ompi_mpi_comm_world`, …), which is how `mpi.h` defines them; this ties the communicator
/// to Open MPI's ABI (what Debian ships and the issue asks for).
///
/// Every collective is called by every rank in the same order (the training loop is deterministic in its
/// shape). A failed call aborts the job: `MPI_Abort` makes `mpirun` stop every rank with a clear error.
public final class MPICommunicator: @unchecked Sendable {
    public let rank: Int
    public let size: Int
    /// True on rank 0: the one rank that draws noise, reserves/commits in the ledger and writes outputs.
    public var isRoot: Bool { rank == 0 }

    private typealias InitFn = @convention(c) (UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> Int32
    private typealias FlagFn = @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    private typealias VoidFn = @convention(c) () -> Int32
    private typealias CommIntFn = @convention(c) (OpaquePointer, UnsafeMutablePointer<Int32>) -> Int32
    private typealias AllreduceFn = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, OpaquePointer, OpaquePointer, OpaquePointer) -> Int32
    private typealias BcastFn = @convention(c) (UnsafeMutableRawPointer?, Int32, OpaquePointer, Int32, OpaquePointer) -> Int32
    private typealias AbortFn = @convention(c) (OpaquePointer, Int32) -> Int32
    private typealias BarrierFn = @convention(c) (OpaquePointer) -> Int32

    private let handle: UnsafeMutableRawPointer
    private let world: OpaquePointer, float: OpaquePointer, double: OpaquePointer, int64: OpaquePointer, sum: OpaquePointer, inPlace: UnsafeRawPointer
    private let allreduceFn: AllreduceFn, bcastFn: BcastFn, abortFn: AbortFn, finalizeFn: VoidFn, barrierFn: BarrierFn
    private let lock = NSLock()
    private var finalized = false

    /// The shared library names tried, in order.
    public static let libraryNames = ["libmpi.so.40", "libmpi.so"]

    /// Loads Open MPI and calls `MPI_Init` (once per process; `MPI_Finalize` at `finalize()`).
    /// - Throws: `MPIError.unavailable` when libmpi cannot be loaded; `.call` when `MPI_Init` fails.
    public init() throws {
        var loaded: UnsafeMutableRawPointer?
        var why = ""
        for name in Self.libraryNames {
            // RTLD_GLOBAL: Open MPI's components (dlopen'ed plugins) resolve symbols of libmpi.
            if let h = dlopen(name, RTLD_NOW | RTLD_GLOBAL) { loaded = h; break }
            why = dlerror().map { String(cString: $0) } ?? "dlopen failed"
        }
        guard let handle = loaded else { throw MPIError.unavailable("cannot load libmpi (\(why))") }
        self.handle = handle
        func symbol(_ name: String) throws -> UnsafeMutableRawPointer {
            guard let p = dlsym(handle, name) else { throw MPIError.unavailable("libmpi has no symbol \(name); Open MPI is required") }
            return p
        }
        let initFn = unsafeBitCast(try symbol("MPI_Init"), to: InitFn.self)
        let initialized = unsafeBitCast(try symbol("MPI_Initialized"), to: FlagFn.self)
        let rankFn = unsafeBitCast(try symbol("MPI_Comm_rank"), to: CommIntFn.self)
        let sizeFn = unsafeBitCast(try symbol("MPI_Comm_size"), to: CommIntFn.self)
        allreduceFn = unsafeBitCast(try symbol("MPI_Allreduce"), to: AllreduceFn.self)
        bcastFn = unsafeBitCast(try symbol("MPI_Bcast"), to: BcastFn.self)
        abortFn = unsafeBitCast(try symbol("MPI_Abort"), to: AbortFn.self)
        finalizeFn = unsafeBitCast(try symbol("MPI_Finalize"), to: VoidFn.self)
        barrierFn = unsafeBitCast(try symbol("MPI_Barrier"), to: BarrierFn.self)
        world = OpaquePointer(try symbol("ompi_mpi_comm_world"))
        float = OpaquePointer(try symbol("ompi_mpi_float"))
        double = OpaquePointer(try symbol("ompi_mpi_double"))
        int64 = OpaquePointer(try symbol("ompi_mpi_int64_t"))
        sum = OpaquePointer(try symbol("ompi_mpi_op_sum"))
        // MPI_IN_PLACE is ((void *) 1) in Open MPI's mpi.h.
        inPlace = UnsafeRawPointer(bitPattern: 1)!
        var flag: Int32 = 0
        _ = initialized(&flag)
        if flag == 0 {
            let rc = initFn(nil, nil)
            guard rc == 0 else { throw MPIError.call("MPI_Init", code: rc) }
        }
        var r: Int32 = 0, s: Int32 = 0
        guard rankFn(world, &r) == 0, sizeFn(world, &s) == 0, s >= 1 else { throw MPIError.call("MPI_Comm_rank/size", code: -1) }
        rank = Int(r)
        size = Int(s)
    }

    /// Stops the job on every rank with `code` after printing `message` to this rank's stderr.
    public func abort(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data("dpflow rank \(rank)/\(size): \(message); aborting the MPI job\n".utf8))
        _ = abortFn(world, code)
        exit(code)
    }

    /// `MPI_Finalize` (idempotent). Call it on every rank before exiting.
    public func finalize() {
        lock.lock(); defer { lock.unlock() }
        guard !finalized else { return }
        finalized = true
        _ = finalizeFn()
    }

    /// Waits until every rank arrives.
    public func barrier() throws {
        let rc = barrierFn(world)
        if rc != 0 { abort(MPIError.call("MPI_Barrier", code: rc).description) }
    }

    /// In place: the element-wise sum over all ranks; every rank gets it.
    public func allreduceSum(_ values: inout [Float]) throws {
        try allreduce(&values, type: float)
    }

    /// In place: the element-wise sum over all ranks; every rank gets it.
    public func allreduceSum(_ values: inout [Double]) throws {
        try allreduce(&values, type: double)
    }

    /// In place: the exact element-wise sum over all ranks (64-bit integers; DP releases' grid sums).
    public func allreduceSum(_ values: inout [Int64]) throws {
        try allreduce(&values, type: int64)
    }

    /// In place: every rank receives rank 0's values.
    public func broadcastFromRoot(_ values: inout [Int64]) throws {
        try checkCount(values.count)
        let count = Int32(values.count)
        let rc = values.withUnsafeMutableBytes { bcastFn($0.baseAddress, count, int64, 0, world) }
        if rc != 0 { abort(MPIError.call("MPI_Bcast", code: rc).description) }
    }

    /// In place: every rank receives rank 0's values (the same count on every rank).
    public func broadcastFromRoot(_ values: inout [Float]) throws {
        try checkCount(values.count)
        let count = Int32(values.count)
        let rc = values.withUnsafeMutableBytes { bcastFn($0.baseAddress, count, float, 0, world) }
        if rc != 0 { abort(MPIError.call("MPI_Bcast", code: rc).description) }
    }

    /// In place: every rank receives rank 0's values.
    public func broadcastFromRoot(_ values: inout [Double]) throws {
        try checkCount(values.count)
        let count = Int32(values.count)
        let rc = values.withUnsafeMutableBytes { bcastFn($0.baseAddress, count, double, 0, world) }
        if rc != 0 { abort(MPIError.call("MPI_Bcast", code: rc).description) }
    }

    private func allreduce<T>(_ values: inout [T], type: OpaquePointer) throws {
        try checkCount(values.count)
        guard !values.isEmpty else { return }
        let count = Int32(values.count)
        let rc = values.withUnsafeMutableBytes { allreduceFn(inPlace, $0.baseAddress, count, type, sum, world) }
        if rc != 0 { abort(MPIError.call("MPI_Allreduce", code: rc).description) }
    }

    private func checkCount(_ n: Int) throws {
        guard n <= Int(Int32.max) else { throw MPIError.invalidBuffer("a buffer of \(n) values is too large for one MPI call") }
    }
}
