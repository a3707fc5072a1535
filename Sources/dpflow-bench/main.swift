// dpflow-bench: DP-SGD vs plain training speed and peak memory (release mode).
//
//   swift run -c release dpflow-bench            # table
//   swift run -c release dpflow-bench --json     # JSON array
//   --no-prefetch: draw DP noise on the training thread (no noise-prefetch thread)
//   Each model runs twice: with one core (one BLAS thread, one slice) and with every core (plain and private
//   alike: the batch split into one slice per core, one BLAS thread each).
//   swift run -c release dpflow-bench --cnn [N] # the TF Privacy tutorial CNN, plain vs private (TutorialCNN.swift)
//   swift run -c release dpflow-bench --text [N] # embedding bag and GRU(32) text models, plain vs private (TextModels.swift)
//
// Speed: one epoch (ceil(60000/256) = 235 steps), best of 3 alternating rounds, on 60,000 synthetic rows × 32 features,
// non-private (shuffled batches of 256, mean loss, same optimizer) vs private (Poisson
// batches of expected size 256, per-example clipping, secure Gaussian noise, expected-batch
// divisor). Peak memory: a child process per mode runs 5 steps at batch 4096 and reports its
// getrusage max RSS (whole process, including the data set and the runtime) and the growth
// of max RSS during the steps (what the training step itself added).
import Foundation
import PrivateLearning
import StandardPlugins
import PrivacyAccounting

// OpenBLAS's generic kernels on a CPU it does not recognise are ~25× slower: re-exec once with the right ones
// (`--blas-info` prints the chosen kernels and a GEMM rate).
BLASKernelSelection.reexecWithFasterKernelsIfNeeded()
let arguments = CommandLine.arguments
// One BLAS thread unless a measurement asks for every core (see `cores` in the output).
LinearAlgebra.setThreadCount(1)
let allCores = ProcessInfo.processInfo.activeProcessorCount
/// `--rows N` (default 60,000) and `--hidden H` (default both 128 and 512) shorten a run on a loaded machine.
let rows = arguments.firstIndex(of: "--rows").flatMap { arguments.indices.contains($0 + 1) ? Int(arguments[$0 + 1]) : nil } ?? 60_000
let hiddenSizes = arguments.firstIndex(of: "--hidden").flatMap { arguments.indices.contains($0 + 1) ? Int(arguments[$0 + 1]) : nil }.map { [$0] } ?? [128, 512]
let features = 32, batch = 256, memoryBatch = 4096
let rounds = 3
/// Norm samplers of the standard layers (Dense's fast path).
let registry: PluginRegistry = {
    var r = PluginRegistry()
    try! StandardPlugins.register(into: &r)
    return r
}()

func syntheticData(seed: UInt64) -> (Tensor, Tensor) {
    let g = SeededRandomSource(seed: seed)
    var gen = g
    let x = (0..<(rows * features)).map { _ in Float(GaussianSampling.standardNormal(using: &gen)) }
    let w = (0..<features).map { _ in Float(GaussianSampling.standardNormal(using: &gen)) }
    var y = [Float](repeating: 0, count: rows)
    for r in 0..<rows {
        var s: Float = 0
        for j in 0..<features { s += x[r * features + j] * w[j] }
        y[r] = s > 0 ? 1 : 0
    }
    return (Tensor(shape: [rows, features], values: x), Tensor(shape: [rows, 1], values: y))
}

func makeModel(hidden: Int) throws -> Sequential {
    try Sequential(inputShape: [features], seed: 1) {
        Dense(hidden, activation: .relu)
        Dense(hidden, activation: .relu)
        Dense(1, activation: .sigmoid)
    }
}

func maxRSSBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) * 1024
}

/// User + system CPU seconds of the whole process (all threads).
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// Child mode: `--memory-child private|nonprivate HIDDEN` prints "baseline peak".
if let i = arguments.firstIndex(of: "--memory-child") {
    let mode = arguments[i + 1], hidden = Int(arguments[i + 2])!
    let (x, y) = syntheticData(seed: 42)
    let model = try makeModel(hidden: hidden)
    let baseline = maxRSSBytes()
    if mode == "private" {
        let dp = try PrivateModel(model: model, l2NormClip: 1, noiseMultiplier: 1, registry: registry)
        dp.compile(optimizer: SGD(learningRate: 0.05), loss: BinaryCrossentropy())
        let loader = try PoissonLoader(features: x, labels: y, batchSize: memoryBatch)
        let rng = SecureRandomSource()
        var g = rng
        for _ in 0..<5 {
            let b = loader.sampleBatch(using: &g)
            let (grads, _) = try dp.privatizedGradients(features: b.features, labels: b.labels, expectedBatchSize: loader.expectedBatchSize)
            model.apply(gradients: grads, optimizer: dp.optimizer!)
        }
    } else {
        let optimizer = SGD(learningRate: 0.05), loss = BinaryCrossentropy()
        var order = Array(0..<rows)
        var g = SystemRandomNumberGenerator()
        order.shuffle(using: &g)
        for s in 0..<5 {
            let idx = Array(order[(s * memoryBatch)..<((s + 1) * memoryBatch)])
            let bx = x.gatheringRows(idx), by = y.gatheringRows(idx)
            var (out, tape) = model.forwardRecording(bx)
            model.backward(loss.perExampleGradient(predictions: out, targets: by), tape: &tape)
            let w = [Float](repeating: 1 / Float(idx.count), count: idx.count)
            model.apply(gradients: model.parameterGradients(tape: tape, exampleWeights: w), optimizer: optimizer)
            out = Tensor(zeros: [0])
        }
    }
    print(baseline, maxRSSBytes())
    exit(0)
}

/// `--blas-info`: the OpenBLAS kernels in use and `sgemm` GFLOP/s (one thread) for a square product and the
/// tutorial CNN's forward products.
if arguments.contains("--blas-info") {
    print("OpenBLAS core: \(BLASKernelSelection.coreName) (OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "unset"))")
    let clock = ContinuousClock()
    for (m, n, k) in [(512, 512, 512), (256 * 196, 16, 64), (256 * 25, 32, 256), (64, 16, 256 * 196)] {
        let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        var best = Double.infinity
        for _ in 0..<5 {
            let t = clock.now
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                LinearAlgebra.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: ap.baseAddress!, lda: k,
                                   b: bp.baseAddress!, ldb: n, beta: 0, c: cp.baseAddress!, ldc: n)
            } } }
            best = min(best, seconds(clock.now - t))
        }
        print(String(format: "sgemm %ld×%ld×%ld: %.1f GFLOP/s", m, n, k, 2 * Double(m) * Double(n) * Double(k) / best / 1e9))
    }
    exit(0)
}

/// `--noise`: CPU nanoseconds (this thread's CPU clock, so a loaded machine does not inflate them) per random
/// word and per Gaussian sample of the secure source (AES-256-CTR keystream → ziggurat) and of xoshiro (tests only).
if arguments.contains("--noise") {
    func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
    let n = 1 << 22
    let words = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: n)
    defer { words.deallocate() }
    var v = [Float](repeating: 0, count: n)
    let secure = SecureRandomSource(), seeded = SeededRandomSource(seed: 1)
    func best(_ body: () -> Void) -> Double {
        var b = Double.infinity
        for _ in 0..<5 { let t = threadCPUSeconds(); body(); b = min(b, threadCPUSeconds() - t) }
        return b / Double(n) * 1e9
    }
    print(String(format: "secure keystream (AES-256-CTR): %.2f ns/word (CPU)", best { secure.fillRandomWords(words) }))
    print(String(format: "secure Gaussian (AES-CTR + ziggurat): %.2f ns/sample (CPU)", best { secure.addGaussianNoise(to: &v, standardDeviation: 1) }))
    print(String(format: "xoshiro keystream (not secure): %.2f ns/word (CPU)", best { seeded.fillRandomWords(words) }))
    print(String(format: "xoshiro Gaussian (not secure): %.2f ns/sample (CPU)", best { seeded.addGaussianNoise(to: &v, standardDeviation: 1) }))
    exit(0)
}

/// `--profile-private-step HIDDEN SIGMA`: 2000 privatized steps on one batch (for perf).
if let i = arguments.firstIndex(of: "--profile-private-step") {
    let hidden = Int(arguments[i + 1])!, sigma = Double(arguments[i + 2])!
    let (x, y) = syntheticData(seed: 42)
    let model = try makeModel(hidden: hidden)
    let dp = try PrivateModel(model: model, l2NormClip: 1, noiseMultiplier: sigma, registry: registry)
    dp.compile(optimizer: SGD(), loss: BinaryCrossentropy())
    let bx = x.slicingRows(0..<batch), by = y.slicingRows(0..<batch)
    let loss = BinaryCrossentropy()
    let clock = ContinuousClock()
    var t = clock.now
    for _ in 0..<2000 { _ = try dp.privatizedGradients(features: bx, labels: by, expectedBatchSize: 256) }
    let p = seconds(clock.now - t) / 2000
    t = clock.now
    for _ in 0..<2000 {
        var (out, tape) = model.forwardRecording(bx)
        _ = loss.perExampleLoss(predictions: out, targets: by)
        model.backward(loss.perExampleGradient(predictions: out, targets: by), tape: &tape)
        _ = model.parameterGradients(tape: tape, exampleWeights: [Float](repeating: 1 / 256, count: 256))
        out = Tensor(zeros: [0])
    }
    let n = seconds(clock.now - t) / 2000
    print("private step \(p * 1e3) ms, plain step \(n * 1e3) ms, ratio \(p / n)")
    exit(0)
}

/// `--profile`: time the parts of one private step (diagnostics for performance work).
if arguments.contains("--profile") {
    let (x, y) = syntheticData(seed: 42)
    do {
        let clock = ContinuousClock()
        let n = 1 << 20
        let words = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: n)
        let src = SecureRandomSource()
        src.fillRandomWords(words)
        var t = clock.now
        src.fillRandomWords(words)
        print("aes words: \(seconds(clock.now - t) / Double(n) * 1e9) ns/word")
        let seeded = SeededRandomSource(seed: 1)
        t = clock.now
        seeded.fillRandomWords(words)
        print("xoshiro words: \(seconds(clock.now - t) / Double(n) * 1e9) ns/word")
        var v = [Float](repeating: 0, count: n)
        seeded.addGaussianNoise(to: &v, standardDeviation: 1)
        t = clock.now
        seeded.addGaussianNoise(to: &v, standardDeviation: 1)
        print("ziggurat(xoshiro): \(seconds(clock.now - t) / Double(n) * 1e9) ns/draw")
        t = clock.now
        src.addGaussianNoise(to: &v, standardDeviation: 1)
        print("ziggurat(aes): \(seconds(clock.now - t) / Double(n) * 1e9) ns/draw")
        t = clock.now
        for _ in 0..<10 { _ = try PrivacyAccounting.epsilon(samplingRate: 256.0 / 60000, noiseMultiplier: 1, steps: 235, delta: 1e-5) }
        print("rdp epsilon: \(seconds(clock.now - t) / 10 * 1e3) ms")
    }
    for hidden in [128, 512] {
        let model = try makeModel(hidden: hidden)
        let clock = ContinuousClock()
        let reps = 50
        let src = SecureRandomSource()
        var noise = [Float](repeating: 0, count: model.parameterCount)
        var t = clock.now
        for _ in 0..<reps { src.addGaussianNoise(to: &noise, standardDeviation: 1) }
        let noiseT = seconds(clock.now - t) / Double(reps)
        let loader = try PoissonLoader(features: x, labels: y, batchSize: batch)
        var g = src
        t = clock.now
        for _ in 0..<reps { _ = loader.sampleBatch(using: &g) }
        let sampleT = seconds(clock.now - t) / Double(reps)
        let bx = x.slicingRows(0..<batch), by = y.slicingRows(0..<batch)
        let loss = BinaryCrossentropy()
        t = clock.now
        var tape = Tape()
        for _ in 0..<reps {
            let recorded = model.forwardRecording(bx)
            tape = recorded.tape
            model.backward(loss.perExampleGradient(predictions: recorded.output, targets: by), tape: &tape)
        }
        let fbT = seconds(clock.now - t) / Double(reps)
        t = clock.now
        for _ in 0..<reps { _ = model.parameterGradients(tape: tape, exampleWeights: nil) }
        let gradT = seconds(clock.now - t) / Double(reps)
        let dp = try PrivateModel(model: model, l2NormClip: 1, noiseMultiplier: 1, registry: registry)
        dp.compile(optimizer: SGD(), loss: loss)
        t = clock.now
        for _ in 0..<reps { _ = try dp.privatizedGradients(features: bx, labels: by, expectedBatchSize: 256) }
        let privT = seconds(clock.now - t) / Double(reps)
        t = clock.now
        let opt = SGD()
        let grads = model.parameterGradients(tape: tape, exampleWeights: nil)
        for _ in 0..<reps { model.apply(gradients: grads, optimizer: opt) }
        let applyT = seconds(clock.now - t) / Double(reps)
        print("hidden \(hidden): params \(model.parameterCount) noise \(noiseT * 1e3) ms, sample+gather \(sampleT * 1e3) ms, fwd+bwd \(fbT * 1e3) ms, grads \(gradT * 1e3) ms, privatized step \(privT * 1e3) ms, apply \(applyT * 1e3) ms")
    }
    exit(0)
}

func childMemory(mode: String, hidden: Int) -> (peak: Int, step: Int)? {
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    let p = Process()
    p.executableURL = exe
    p.arguments = ["--memory-child", mode, String(hidden)]
    let pipe = Pipe()
    p.standardOutput = pipe
    do { try p.run() } catch { return nil }
    p.waitUntilExit()
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let parts = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
    guard parts.count == 2 else { return nil }
    return (parts[1], parts[1] - parts[0])
}

struct Result: Codable {
    var model: String
    /// Cores used by one step (1, or all of them).
    var cores: Int
    var batch_size: Int
    var nonprivate_examples_per_second: Double
    var private_examples_per_second: Double
    var time_ratio: Double
    var nonprivate_epoch_seconds: Double
    var private_epoch_seconds: Double
    var memory_batch_size: Int
    var nonprivate_peak_bytes: Int
    var private_peak_bytes: Int
    var nonprivate_step_peak_growth_bytes: Int
    var private_step_peak_growth_bytes: Int
    var private_examples_seen: Int
    var nonprivate_cpu_seconds: Double
    var private_cpu_seconds: Double
    /// Private / non-private CPU time (all threads, including the noise-prefetch thread).
    var cpu_time_ratio: Double
    /// BLAS threads (both modes); the private mode adds one noise-prefetch thread.
    var blas_threads: Int
    var private_noise_prefetch_thread: Bool
}

if let i = arguments.firstIndex(of: "--cnn-memory-child") {
    try tutorialCNNMemoryChild(mode: arguments[i + 1], registry: registry)
    exit(0)
}

if let i = arguments.firstIndex(of: "--text") {
    let n = arguments.indices.contains(i + 1) ? Int(arguments[i + 1]) ?? 10_240 : 10_240
    try runTextModels(rows: n, registry: registry)
    exit(0)
}

if let i = arguments.firstIndex(of: "--cnn") {
    let n = arguments.indices.contains(i + 1) ? Int(arguments[i + 1]) ?? 20_480 : 20_480
    try runTutorialCNN(rows: n, registry: registry)
    exit(0)
}

let json = arguments.contains("--json")
let (x, y) = syntheticData(seed: 42)
var results: [Result] = []
for hidden in hiddenSizes {
  for cores in Set([1, allCores]).sorted() {
    let name = "32-\(hidden)-\(hidden)-1"
    LinearAlgebra.setThreadCount(cores)
    // Non-private: Sequential.fit, one epoch of shuffled batches.
    let plain = try makeModel(hidden: hidden)
    plain.trainingThreadCount = cores
    plain.compile(optimizer: SGD(learningRate: 0.05), loss: BinaryCrossentropy())
    _ = try plain.fit(x.slicingRows(0..<(batch * 4)), y.slicingRows(0..<(batch * 4)), epochs: 1, batchSize: batch, seed: 1) // warm-up
    let privateNet = try makeModel(hidden: hidden)
    let warmDP = try PrivateModel(model: privateNet, l2NormClip: 1, noiseMultiplier: 1, registry: registry)
    warmDP.threadCount = cores
    warmDP.compile(optimizer: SGD(learningRate: 0.05), loss: BinaryCrossentropy())
    let warm = try PoissonLoader(features: x.slicingRows(0..<(batch * 4)), labels: y.slicingRows(0..<(batch * 4)), batchSize: batch)
    _ = try warmDP.fit(warm, epochs: 1, targetDelta: 1e-5)   // warm-up (separate accounting)
    let dp = try PrivateModel(model: privateNet, l2NormClip: 1, noiseMultiplier: 1, registry: registry)
    dp.prefetchesNoise = !arguments.contains("--no-prefetch")
    dp.threadCount = cores
    dp.compile(optimizer: SGD(learningRate: 0.05), loss: BinaryCrossentropy())
    let loader = try PoissonLoader(features: x, labels: y, batchSize: batch)
    // The machine is shared: alternate plain and private epochs and keep the best of `rounds`
    // for each, so a burst of load from other processes does not land on one side only.
    let clock = ContinuousClock()
    var plainSeconds = Double.infinity, privateSeconds = Double.infinity
    var plainCPU = Double.infinity, privateCPU = Double.infinity
    var history = TrainingHistory()
    for round in 0..<rounds {
        let t0 = clock.now, c0 = cpuSeconds()
        _ = try plain.fit(x, y, epochs: 1, batchSize: batch, seed: UInt64(round + 2))
        plainSeconds = min(plainSeconds, seconds(clock.now - t0))
        plainCPU = min(plainCPU, cpuSeconds() - c0)
        let t1 = clock.now, c1 = cpuSeconds()
        history = try dp.fit(loader, epochs: 1, targetDelta: 1e-5)
        privateSeconds = min(privateSeconds, seconds(clock.now - t1))
        privateCPU = min(privateCPU, cpuSeconds() - c1)
    }
    precondition(history.isPrivate)

    LinearAlgebra.setThreadCount(1)
    let measureMemory = cores == 1 && !arguments.contains("--no-memory")
    let none: (peak: Int, step: Int) = (-1, -1)
    let np = measureMemory ? childMemory(mode: "nonprivate", hidden: hidden) ?? none : none
    let pr = measureMemory ? childMemory(mode: "private", hidden: hidden) ?? none : none
    results.append(Result(model: name, cores: cores, batch_size: batch,
                          nonprivate_examples_per_second: Double(rows) / plainSeconds,
                          private_examples_per_second: Double(rows) / privateSeconds,
                          time_ratio: privateSeconds / plainSeconds,
                          nonprivate_epoch_seconds: plainSeconds, private_epoch_seconds: privateSeconds,
                          memory_batch_size: memoryBatch,
                          nonprivate_peak_bytes: np.peak, private_peak_bytes: pr.peak,
                          nonprivate_step_peak_growth_bytes: np.step, private_step_peak_growth_bytes: pr.step,
                          private_examples_seen: history.steps * batch,
                          nonprivate_cpu_seconds: plainCPU, private_cpu_seconds: privateCPU,
                          cpu_time_ratio: privateCPU / plainCPU,
                          blas_threads: cores,
                          private_noise_prefetch_thread: dp.prefetchesNoise))
  }
}

if json {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    print(String(decoding: try encoder.encode(results), as: UTF8.self))
} else {
    print("model            cores  batch  plain ex/s   private ex/s  ratio  cpu-ratio  peak@4096 plain / private (MB)   step growth plain / private (MB)")
    for r in results {
        print(r.model.padding(toLength: 17, withPad: " ", startingAt: 0)
              + String(format: "%5d  %5d  %10.0f  %12.0f  %5.3f  %6.3f     %8.1f / %8.1f             %8.1f / %8.1f",
                       r.cores, r.batch_size, r.nonprivate_examples_per_second, r.private_examples_per_second, r.time_ratio, r.cpu_time_ratio,
                       Double(r.nonprivate_peak_bytes) / 1e6, Double(r.private_peak_bytes) / 1e6,
                       Double(r.nonprivate_step_peak_growth_bytes) / 1e6, Double(r.private_step_peak_growth_bytes) / 1e6))
    }
}
