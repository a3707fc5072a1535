import BudgetLedgers
import Foundation
import Synchronization

// `ledger-bench LEDGER [CLIENTS=16] [OPS=50]`: reserve+commit latency and throughput of a ledger (a SQLite file
// or a postgres:// URL; created if it does not exist) under CLIENTS concurrent clients, each with its own
// connection, each doing OPS reserve+commit pairs of ε = 1e-6 against a grant large enough for all of them.
let args = CommandLine.arguments.dropFirst()
guard let target = args.first else {
    FileHandle.standardError.write(Data("usage: ledger-bench LEDGER [CLIENTS] [OPS]\n".utf8))
    exit(2)
}
let clients = args.dropFirst().first.flatMap { Int($0) } ?? 16
let ops = args.dropFirst(2).first.flatMap { Int($0) } ?? 50
let location = LedgerLocation(path: target, isExplicit: true)
do {
    let ledger: any BudgetLedger
    if let existing = try? location.open() { ledger = existing } else { ledger = try location.create() }
    try ledger.grant(dataset: "bench", epsilon: 1e5, delta: 0)
    let handles = try (0..<clients).map { _ in try location.open() }
    let latencies = Mutex([Double](repeating: 0, count: clients * ops))
    let start = Date()
    DispatchQueue.concurrentPerform(iterations: clients) { c in
        for i in 0..<ops {
            let t0 = Date()
            do {
                let r = try handles[c].reserve(dataset: "bench", job: "bench-\(c)", mechanism: "bench", epsilon: 1e-6, delta: 0)
                try handles[c].commit(r)
            } catch {
                FileHandle.standardError.write(Data("client \(c): \(error)\n".utf8))
            }
            let seconds = Date().timeIntervalSince(t0)
            latencies.withLock { $0[c * ops + i] = seconds }
        }
    }
    let wall = Date().timeIntervalSince(start)
    let sorted = latencies.withLock { $0.sorted() }
    func pct(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(p * Double(sorted.count)))] * 1000 }
    print("ledger \(location.displayName): \(clients) clients × \(ops) reserve+commit: \(String(format: "%.0f", Double(clients * ops) / wall)) pairs/s; "
          + "latency p50 \(String(format: "%.2f", pct(0.5))) ms, p95 \(String(format: "%.2f", pct(0.95))) ms, max \(String(format: "%.2f", pct(1))) ms")
} catch {
    FileHandle.standardError.write(Data("ledger-bench: \(error)\n".utf8))
    exit(1)
}
