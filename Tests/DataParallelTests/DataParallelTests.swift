import Foundation
import Testing
@testable import DataParallel

@Suite("Row shards and the MPI environment")
struct RowShardTests {
    @Test("every row has exactly one owner; shards are balanced within 4 binomial standard deviations", arguments: [2, 3, 8])
    func partition(size: Int) {
        let n = 20_000
        let shards = (0..<size).map { RowShard(rank: $0, size: size) }
        var counts = [Int](repeating: 0, count: size)
        for i in 0..<n {
            let owners = shards.filter { $0.contains(row: i) }
            #expect(owners.count == 1)
            counts[owners[0].rank] += 1
        }
        let p = 1.0 / Double(size), sd = (Double(n) * p * (1 - p)).squareRoot()
        for c in counts { #expect(abs(Double(c) - Double(n) * p) <= 4 * sd, "\(counts)") }
        // Not blocks of the file: the first 100 rows are spread over every rank.
        #expect(Set((0..<100).map { shards[0].owner(ofRow: $0) }).count == size)
    }

    @Test("one rank owns everything; bad ranks fall back to the single shard")
    func single() {
        #expect((0..<100).allSatisfy { RowShard.all.contains(row: $0) })
        #expect(RowShard(rank: 5, size: 2) == .all && RowShard(rank: 0, size: 0) == .all)
    }

    @Test("ranks are read from Open MPI's, PMI's or PMIx's environment; one rank or none means no MPI")
    func environment() {
        #expect(MPIEnvironment.detect(["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "1"]) == MPIEnvironment(size: 2, rank: 1))
        #expect(MPIEnvironment.detect(["PMI_SIZE": "4", "PMI_RANK": "3"]) == MPIEnvironment(size: 4, rank: 3))
        #expect(MPIEnvironment.detect(["OMPI_COMM_WORLD_SIZE": "1", "OMPI_COMM_WORLD_RANK": "0"]) == nil)
        #expect(MPIEnvironment.detect(["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "2"]) == nil)
        #expect(MPIEnvironment.detect([:]) == nil)
    }
}

/// 2 ranks on loopback through `mpirun` (Open MPI). Fails when mpirun is missing unless
/// `DPFLOW_SKIP_MPI_TESTS=1` opts out explicitly.
@Suite("MPI communicator under mpirun", .enabled(if: ProcessInfo.processInfo.environment["DPFLOW_SKIP_MPI_TESTS"] != "1"))
struct MPICommunicatorTests {
    static func binary(_ name: String) throws -> String {
        var dir = Bundle.main.bundleURL
        if dir.pathExtension == "xctest" { dir.deleteLastPathComponent() }
        for candidate in [dir, Bundle.main.bundleURL.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url.path }
        }
        throw MPIError.unavailable("\(name) not found near \(Bundle.main.bundleURL.path); build it")
    }

    static func mpirun() throws -> String {
        for p in ["/usr/bin/mpirun", "/usr/local/bin/mpirun"] where FileManager.default.isExecutableFile(atPath: p) { return p }
        throw MPIError.unavailable("mpirun not found; install openmpi-bin (scripts/install-deps.sh) or set DPFLOW_SKIP_MPI_TESTS=1")
    }

    /// `mpirun -np ranks … program args`; returns status and combined output.
    static func launch(ranks: Int, _ program: String, _ args: [String] = []) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try mpirun())
        p.arguments = ["-np", String(ranks), "--oversubscribe", "--bind-to", "none", "--mca", "btl", "self,tcp",
                       "--mca", "btl_tcp_if_include", "lo", "--mca", "oob_tcp_if_include", "lo"]
            + (getuid() == 0 ? ["--allow-run-as-root"] : []) + [program] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("2 ranks: allreduce sums Float and Double, broadcast from rank 0, shards disjoint and complete")
    func twoRanks() throws {
        let r = try Self.launch(ranks: 2, try Self.binary("dpflow-mpi-check"))
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("rank 0/2: allreduce float ok, double ok, broadcast ok, shards disjoint and complete"), "\(r.output)")
        #expect(r.output.contains("rank 1/2: allreduce float ok, double ok, broadcast ok, shards disjoint and complete"), "\(r.output)")
    }

    @Test("without mpirun the check refuses to start (no MPI is loaded for one process)")
    func noLauncher() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try Self.binary("dpflow-mpi-check"))
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 2)
    }

    @Test("2 ranks, σ = 0, fixed seed: 20 DP-SGD steps give the one-process parameters (up to summation order)")
    func trainingEqualsOneProcess() throws {
        let r = try Self.launch(ranks: 2, try Self.binary("dpflow-mpi-check"), ["train"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.components(separatedBy: "(ok), ranks identical: true").count == 3, "\(r.output)")
    }

    @Test("2 ranks with noise: the update's noise std is σ·C/(qN) within a derived tolerance (noise once, not twice)")
    func noiseOnce() throws {
        let r = try Self.launch(ranks: 2, try Self.binary("dpflow-mpi-check"), ["noise"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.components(separatedBy: "): ok").count == 3, "\(r.output)")
    }
}
