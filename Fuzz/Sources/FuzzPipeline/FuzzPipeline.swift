import DPPipeline
import CFuzzerDriver
import Foundation

// The pipeline parser and both validation phases, then the plan, on arbitrary text. Relative paths in the
// text resolve against a scratch folder holding one small CSV (`data.csv`), so that valid pipelines get far.
let folder = FileManager.default.temporaryDirectory
    .appendingPathComponent("dpflow-fuzz-pipeline-\(ProcessInfo.processInfo.processIdentifier)").path
let environment: PipelineEnvironment = {
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var rows = ["x,y,c,label"]
    for i in 0..<40 { rows.append("\(Double(i) / 10),\(i % 7),\(["a", "b"][i % 2]),\(i % 3 == 0 ? "yes" : "no")") }
    FileManager.default.createFile(atPath: folder + "/data.csv", contents: Data((rows.joined(separator: "\n") + "\n").utf8))
    return try! PipelineEnvironment.standard()
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPipeline(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let bytes = pointer ?? (size == 0 ? UnsafePointer(bitPattern: 1) : nil) else { return 0 }
    guard let text = String(validating: UnsafeBufferPointer(start: bytes, count: size), as: UTF8.self) else { return 0 }
    // Device and kernel files (an endless /dev/zero as the CSV) are the operator's choice, not a parser input.
    if ["/dev", "/proc", "/sys"].contains(where: text.contains) { return 0 }
    if let pipeline = try? Pipeline.load(yaml: text, file: "fuzz.yaml", directory: folder, environment: environment) {
        // Planning runs the accountant; the PLD accountant's FFTs take seconds per input in a sanitized debug
        // build, so it is planned with RDP only (the accountants have their own tests and fixtures).
        if pipeline.spec.privacy.accountant != "pld" { _ = try? pipeline.plan(datasetID: { _ in "fuzz" }) }
    }
    return 0
}

/// The executable's entry point (SwiftPM aliases `main` to it): runs libFuzzer's driver on `fuzzPipeline`.
@_cdecl("fuzz_pipeline_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { fuzzPipeline($0, $1) }
}
