import Foundation

/// Generates standard-normal noise for upcoming DP-SGD steps on a background thread.
///
/// Noise does not depend on the data, so it can be drawn ahead of time; doing it on another
/// core takes it off the critical path of a step. Each buffer is handed out exactly once
/// (`take` blocks until the worker has filled it; the worker blocks until the consumer has
/// released it), two buffers alternate. The worker owns its own `NoiseSource` stream — never
/// shared with the thread that samples batches.
final class NoisePipeline: @unchecked Sendable {
    let count: Int
    private let source: any NoiseSource
    private let buffers: [UnsafeMutableBufferPointer<Float>]
    private let filled = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)   // created at 0: libdispatch traps if a semaphore dies below its initial value
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopping = false
    private var nextToTake = 0

    /// - Parameters:
    ///   - count: noise values per step (the model's parameter count).
    ///   - source: a stream used by the worker thread only.
    init(count: Int, source: any NoiseSource) {
        self.count = count
        self.source = source
        buffers = (0..<2).map { _ in
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(count, 1))
            b.initialize(repeating: 0)
            return b
        }
        released.signal()
        released.signal()   // two free buffers
        let thread = Thread { [self] in self.run() }
        thread.name = "dpflow-noise"
        thread.start()
    }

    private func run() {
        var slot = 0
        while true {
            released.wait()
            lock.lock()
            let stop = stopping
            lock.unlock()
            if stop { break }
            let b = buffers[slot]
            GaussianSampling.fillStandardNormal(UnsafeMutableBufferPointer(rebasing: b[0..<count]), source: source)
            filled.signal()
            slot ^= 1
        }
        finished.signal()
    }

    /// Adds `standardDeviation · z` from the next unused buffer to `values[offset ..< offset + n]`
    /// for consecutive slices: call `begin`, then `add` per tensor, then `end`.
    func begin() -> UnsafeMutableBufferPointer<Float> {
        filled.wait()
        let b = buffers[nextToTake]
        return b
    }

    /// Releases the buffer returned by `begin` for refilling.
    func end() {
        nextToTake ^= 1
        released.signal()
    }

    /// Stops the worker and frees the buffers. Must be called once, after the last `end()`.
    func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
        released.signal()
        released.signal()
        finished.wait()
        for b in buffers {
            b.update(repeating: 0)
            b.deallocate()
        }
    }
}
