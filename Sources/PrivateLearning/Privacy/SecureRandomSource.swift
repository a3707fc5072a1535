import CSystemRandom
import Foundation

/// The operating system's CSPRNG through `getrandom(2)`, read 4 KiB at a time.
///
/// One system call per 512 draws instead of one per draw (`SystemRandomNumberGenerator`
/// costs ~570 ns per 64-bit draw). Fails closed: if the kernel cannot deliver random bytes
/// the process stops rather than train with weak noise.
public final class SecureRandomSource: NoiseSource {
    public var isCryptographicallySecure: Bool { true }
    private var buffer = [UInt64](repeating: 0, count: 512)
    private var index = 512

    public init() {}

    public func next() -> UInt64 {
        if index == buffer.count { refill() }
        let v = buffer[index]
        index &+= 1
        return v
    }

    /// Fills `count` bytes at `pointer` from the kernel CSPRNG.
    public static func fill(_ pointer: UnsafeMutableRawPointer, count: Int) {
        var filled = 0
        while filled < count {
            let r = getrandom(pointer + filled, count - filled, 0)
            if r < 0 {
                if errno == EINTR { continue }
                fatalError("getrandom failed (errno \(errno)); refusing to continue without secure randomness")
            }
            filled += r
        }
    }

    private func refill() {
        buffer.withUnsafeMutableBytes { Self.fill($0.baseAddress!, count: $0.count) }
        index = 0
    }
}
