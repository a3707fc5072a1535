import Foundation
import KerasInterop

// The .npy parser on the raw bytes, and the .npz (zip) reader on the same bytes as a file.
let npzURL = FileManager.default.temporaryDirectory
    .appendingPathComponent("dpflow-fuzz-\(ProcessInfo.processInfo.processIdentifier).npz")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNpz(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let data = Data(bytes: bytes, count: size)
    _ = try? NumpyArray(npy: data, file: "fuzz.npy")
    guard FileManager.default.createFile(atPath: npzURL.path, contents: data) else { return 0 }
    _ = try? NumpyArchive(contentsOf: npzURL)
    return 0
}
