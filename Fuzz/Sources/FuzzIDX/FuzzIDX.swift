import CFuzzerDriver
import Foundation
import PrivateDataFrame

// The IDX (MNIST-format) reader, plain and gzipped, on the raw bytes as an image file and as a label file.
let idxURL = FileManager.default.temporaryDirectory
    .appendingPathComponent("dpflow-fuzz-\(ProcessInfo.processInfo.processIdentifier).idx")
let image = ImageSpec(columns: "pixel_*", shape: [2, 2, 1], min: 0, max: 255)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let bytes = pointer ?? (size == 0 ? UnsafePointer(bitPattern: 1) : nil) else { return 0 }
    let data = Data(bytes: bytes, count: size)
    guard FileManager.default.createFile(atPath: idxURL.path, contents: data) else { return 0 }
    _ = try? PrivateDataFrame.load(idxImages: idxURL.path, labels: nil, image: image)
    return 0
}

/// The executable's entry point (SwiftPM aliases `main` to it): runs libFuzzer's driver on `fuzzIDX`.
@_cdecl("fuzz_idx_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { fuzzIDX($0, $1) }
}
