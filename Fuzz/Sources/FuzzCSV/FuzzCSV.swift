import CFuzzerDriver
import Foundation
import PrivateDataFrame

// The CSV loader under a fixed schema (every column kind and policy), on arbitrary bytes.
// The loader reads files, so each input is written to one scratch file per process.
let csvPath = FileManager.default.temporaryDirectory
    .appendingPathComponent("dpflow-fuzz-csv-\(ProcessInfo.processInfo.processIdentifier).csv").path
let csvSchema = Schema(columns: [
    "x": .number(min: -10, max: 10),
    "n": .integer(min: 0, max: 100, missing: .dropRow),
    "c": .category(["a", "b", "c"], missing: .fill("a")),
    "flag": ColumnSpec(.boolean, outOfBounds: .error),
], default: ColumnSpec(.number(min: 0, max: 1), missing: .fill("0")))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let bytes = pointer ?? (size == 0 ? UnsafePointer(bitPattern: 1) : nil) else { return 0 }
    let data = Data(bytes: bytes, count: size)
    guard FileManager.default.createFile(atPath: csvPath, contents: data) else { return 0 }
    _ = try? PrivateDataFrame.load(csv: csvPath, schema: csvSchema, datasetID: "fuzz")
    return 0
}

/// The executable's entry point (SwiftPM aliases `main` to it): runs libFuzzer's driver on `fuzzCSV`.
@_cdecl("fuzz_csv_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { fuzzCSV($0, $1) }
}
