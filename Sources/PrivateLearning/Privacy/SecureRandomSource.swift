import CSystemRandom
import Foundation

/// Cryptographically secure randomness for DP-SGD: a ChaCha20 keystream keyed from the
/// kernel CSPRNG (`getrandom(2)`), with fast key erasure.
///
/// Why not `getrandom` per draw: the kernel delivers ~170 MB/s here (and
/// `SystemRandomNumberGenerator` ~570 ns per 64-bit draw), far too slow for fresh noise on
/// every parameter at every step. ChaCha20 with a 256-bit kernel-random key is the same
/// construction the kernel uses internally. Every 4 KiB refill replaces the key with 32 bytes
/// of its own output that are never handed out (so earlier output cannot be reconstructed from
/// the state), and the key is re-drawn from `getrandom` every 2²⁰ refills (4 GiB). Fails closed:
/// if the kernel cannot deliver random bytes the process stops rather than train with weak noise.
public final class SecureRandomSource: NoiseSource {
    public var isCryptographicallySecure: Bool { true }
    static let wordsPerRefill = 1024            // 8 × 128 words = 4 KiB
    private let buffer = UnsafeMutablePointer<UInt32>.allocate(capacity: 1024)
    private let key = UnsafeMutablePointer<UInt32>.allocate(capacity: 8)
    private var index = 1024
    private var refills = 0
    private var nonce: (UInt32, UInt32, UInt32) = (0, 0, 0)

    public init() {
        reseed()
    }

    deinit {
        buffer.update(repeating: 0, count: Self.wordsPerRefill)
        key.update(repeating: 0, count: 8)
        buffer.deallocate()
        key.deallocate()
    }

    /// Fills `count` bytes at `pointer` from the kernel CSPRNG.
    public static func fillFromKernel(_ pointer: UnsafeMutableRawPointer, count: Int) {
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

    private func reseed() {
        Self.fillFromKernel(UnsafeMutableRawPointer(key), count: 32)
        var n = [UInt32](repeating: 0, count: 3)
        n.withUnsafeMutableBytes { Self.fillFromKernel($0.baseAddress!, count: 12) }
        nonce = (n[0], n[1], n[2])
        refills = 0
    }

    private func refill() {
        if refills == 1 << 20 { reseed() }
        for chunk in 0..<8 {
            ChaCha20.eightBlocks(key: key, counter: UInt32(chunk * 8), nonce: nonce, into: buffer + chunk * 128)
        }
        // Fast key erasure: words 0..7 become the next key and are skipped as output.
        key.update(from: buffer, count: 8)
        buffer.update(repeating: 0, count: 8)
        index = 8
        refills += 1
        nonce.0 &+= 1   // a fresh (key, nonce) pair per refill even before the key changes take effect
    }

    public func next() -> UInt64 {
        if index > Self.wordsPerRefill - 2 { refill() }
        let v = UInt64(buffer[index]) | UInt64(buffer[index + 1]) << 32
        index += 2
        return v
    }

    public func fillRandomWords(_ out: UnsafeMutableBufferPointer<UInt32>) {
        var done = 0
        while done < out.count {
            if index == Self.wordsPerRefill { refill() }
            let n = min(out.count - done, Self.wordsPerRefill - index)
            (out.baseAddress! + done).update(from: buffer + index, count: n)
            index += n
            done += n
        }
    }
}
