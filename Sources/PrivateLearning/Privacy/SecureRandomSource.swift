import CSystemRandom
import Crypto
import _CryptoExtras
import Foundation

/// Cryptographically secure randomness for DP-SGD: an AES-256 counter-mode keystream (via
/// swift-crypto / BoringSSL, AES-NI accelerated) keyed from the kernel CSPRNG (`getrandom(2)`),
/// with fast key erasure.
///
/// Why not `getrandom` per draw: the kernel delivers ~170 MB/s here (and
/// `SystemRandomNumberGenerator` ~570 ns per 64-bit draw), far too slow for fresh noise on
/// every parameter at every step. AES-256 in counter mode under a uniformly random key is the
/// core of NIST SP 800-90A's CTR_DRBG. The keystream is the AES-256-CTR encryption of zeros
/// (`AES._CTR` of swift-crypto's `_CryptoExtras`, BoringSSL's AES-NI counter mode; it replaced an
/// AES-GCM encryption of zeros whose GHASH authentication cost as much again and was thrown away).
/// Every 64 KiB refill replaces the key with 32 bytes of its own output that are never handed
/// out, so a later state compromise cannot reconstruct earlier noise; the nonce is a counter that
/// never repeats under one key, and the key is re-drawn from `getrandom` every 2¹⁴ refills (1 GiB). Fails closed: if the
/// kernel cannot deliver random bytes the process stops rather than train with weak noise.
public final class SecureRandomSource: NoiseSource {
    public var isCryptographicallySecure: Bool { true }
    static let refillBytes = 65_536
    static let wordsPerRefill = refillBytes / 4
    private let buffer = UnsafeMutablePointer<UInt32>.allocate(capacity: 65_536 / 4)
    private var key = SymmetricKey(size: .bits256)
    private let zeros = Data(count: 65_536)
    private var index = 65_536 / 4
    private var refills = 0
    private var nonceCounter: UInt64 = 0

    /// Keys a new stream from the kernel CSPRNG (32 bytes of `getrandom`).
    public init() {
        reseed()
    }

    deinit {
        buffer.update(repeating: 0, count: Self.wordsPerRefill)
        buffer.deallocate()
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
        var bytes = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeMutableBytes { Self.fillFromKernel($0.baseAddress!, count: 32) }
        key = SymmetricKey(data: bytes)
        for i in bytes.indices { bytes[i] = 0 }
        refills = 0
    }

    private func refill() {
        if refills == 1 << 14 { reseed() }
        nonceCounter &+= 1
        // 96-bit nonce (a counter, unique under the key) and a 32-bit block counter from 0: 4096
        // blocks per refill never wrap it.
        var nonceBytes = [UInt8](repeating: 0, count: 12)
        withUnsafeBytes(of: nonceCounter.littleEndian) { nonceBytes.replaceSubrange(0..<8, with: $0) }
        let stream: Data
        do {
            stream = try AES._CTR.encrypt(zeros, using: key, nonce: try AES._CTR.Nonce(nonceBytes: nonceBytes))
        } catch {
            fatalError("AES keystream failed (\(error)); refusing to continue without secure randomness")
        }
        precondition(stream.count == Self.refillBytes)
        stream.withUnsafeBytes { raw in
            // Fast key erasure: the first 32 bytes become the next key and are never output.
            key = SymmetricKey(data: UnsafeRawBufferPointer(rebasing: raw[0..<32]))
            UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress!, byteCount: Self.refillBytes)
        }
        buffer.update(repeating: 0, count: 8)
        index = 8
        refills += 1
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
