// csv-bench: load a 1,000,000 × 32 numeric CSV into PrivateDataFrame's columnar Float storage.
//
// Usage: csv-bench [--rows N] [--columns C] [--file PATH] [--repeat K] [--regenerate] [--hash]
// Generates the file if it is missing (uniform values in [0, 100) with 3 decimals, ~215 MB for
// the defaults), loads it K times, and prints MB/s, seconds and peak RSS (VmHWM) of this process.
// Run in release: swift build -c release --product csv-bench && .build/release/csv-bench
import Foundation
import PrivateDataFrame

struct Options {
    var rows = 1_000_000
    var columns = 32
    var file = "/tmp/dpflow-csv-bench-1M-32.csv"
    var repeats = 3
    var regenerate = false
    var hash = false

    init(_ args: [String]) {
        var i = 1
        func value() -> String { i += 1; return i < args.count ? args[i] : "" }
        while i < args.count {
            switch args[i] {
            case "--rows": rows = Int(value()) ?? rows
            case "--columns": columns = Int(value()) ?? columns
            case "--file": file = value()
            case "--repeat": repeats = Int(value()) ?? repeats
            case "--regenerate": regenerate = true
            case "--hash": hash = true
            default: FileHandle.standardError.write(Data("unknown argument \(args[i])\n".utf8)); exit(2)
            }
            i += 1
        }
    }
}

/// Writes the benchmark file with a seeded generator, streaming through a 1 MiB buffer.
func generate(_ o: Options) throws {
    _ = FileManager.default.createFile(atPath: o.file, contents: nil)
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: o.file))
    defer { try? out.close() }
    var buf = [UInt8]()
    buf.reserveCapacity(1 << 20 + 4096)
    buf += Array((0..<o.columns).map { "c\($0)" }.joined(separator: ",").utf8) + [0x0A]
    var state: UInt64 = 0x1234_5678
    for _ in 0..<o.rows {
        for c in 0..<o.columns {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let v = Int((state >> 33) % 100_000)                 // value = v / 1000 in [0, 100)
            let whole = v / 1000, frac = v % 1000
            if whole >= 10 { buf.append(UInt8(48 + whole / 10)) }
            buf.append(UInt8(48 + whole % 10))
            buf.append(0x2E)
            buf.append(UInt8(48 + frac / 100)); buf.append(UInt8(48 + frac / 10 % 10)); buf.append(UInt8(48 + frac % 10))
            buf.append(c == o.columns - 1 ? 0x0A : 0x2C)
        }
        if buf.count >= 1 << 20 { out.write(Data(buf)); buf.removeAll(keepingCapacity: true) }
    }
    out.write(Data(buf))
}

func peakRSSKiB() -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }
    return -1
}

let o = Options(CommandLine.arguments)
if o.regenerate || !FileManager.default.fileExists(atPath: o.file) {
    let t0 = Date()
    try generate(o)
    print("generated \(o.file) in \(String(format: "%.1f", Date().timeIntervalSince(t0))) s")
}
let bytes = (try FileManager.default.attributesOfItem(atPath: o.file)[.size] as? NSNumber)?.doubleValue ?? 0
let schema = Schema(default: .number(min: 0, max: 100))
let rssBefore = peakRSSKiB()
var best = Double.infinity
var columnsLoaded = 0
for k in 0..<o.repeats {
    let t0 = Date()
    let frame = try PrivateDataFrame.load(csv: o.file, schema: schema, datasetID: o.hash ? nil : "csv-bench")
    let dt = Date().timeIntervalSince(t0)
    columnsLoaded = frame.columnNames.count
    best = min(best, dt)
    print(String(format: "load %d: %.3f s, %.1f MB/s", k + 1, dt, bytes / 1e6 / dt))
}
let floatMB = Double(o.rows * o.columns * 4) / 1e6
let peakMB = Double(peakRSSKiB()) * 1024 / 1e6
print(String(format: "file %.1f MB, %d rows × %d columns; best %.3f s = %.1f MB/s%@",
             bytes / 1e6, o.rows, columnsLoaded, best, bytes / 1e6 / best, o.hash ? " (with SHA-256 of the file)" : ""))
print(String(format: "peak RSS %.1f MB (before loading %.1f MB); Float storage %.1f MB; peak/storage %.2f",
             peakMB, Double(rssBefore) * 1024 / 1e6, floatMB, peakMB / floatMB))
