import Foundation

/// Runs independent pieces of one step (slices of a batch) on every core.
enum ParallelSlices {
    /// `body(0) … body(count − 1)` concurrently (`DispatchQueue.concurrentPerform`), results in order.
    /// `body` must only read shared state (the stateless layers' parameters) and own what it writes.
    static func map<T>(count: Int, _ body: (Int) -> T) -> [T] {
        if count == 1 { return [body(0)] }
        return withoutActuallyEscaping(body) { escapable in
            let box = Box(body: escapable, count: count)
            DispatchQueue.concurrentPerform(iterations: count) { i in
                let r = box.body(i)
                box.lock.lock()
                box.results[i] = r
                box.lock.unlock()
            }
            return box.results.map { $0! }
        }
    }

    /// Carries the body and the results across the concurrent iterations; access to `results`
    /// is serialised by `lock`, `body` only reads shared state.
    private final class Box<T>: @unchecked Sendable {
        let body: (Int) -> T
        var results: [T?]
        let lock = NSLock()
        init(body: @escaping (Int) -> T, count: Int) {
            self.body = body
            results = [T?](repeating: nil, count: count)
        }
    }
}
