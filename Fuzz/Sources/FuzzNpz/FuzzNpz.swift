import CFuzzerDriver
import Foundation
import KerasInterop

// The .npy parser on the raw bytes, and the .npz (zip) reader on the same bytes as a file.
let npzURL = FileManager.default.temporaryDirectory
    .appendingPathComponent("dpflow-fuzz-\(ProcessInfo.processInfo.processIdentifier).npz")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNpz(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let bytes = pointer ?? (size == 0 ? UnsafePointer(bitPattern: 1) : nil) else { return 0 }
    let data = Data(bytes: bytes, count: size)
    _ = try? NumpyArray(npy: data, file: "fuzz.npy")
    guard FileManager.default.createFile(atPath: npzURL.path, contents: data) else { return 0 }
    _ = try? NumpyArchive(contentsOf: npzURL)
    return 0
}

/// The executable's entry point (SwiftPM aliases `main` to it): runs libFuzzer's driver on `fuzzNpz`.
@_cdecl("fuzz_npz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { fuzzNpz($0, $1) }
}
