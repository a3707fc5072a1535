import Foundation
import PrivateLearning
import StandardPlugins

/// The TF Privacy tutorial CNN: Conv2D 16@8×8 stride 2 same, relu → MaxPool 2 stride 1 → Conv2D 32@4×4 stride 2 valid,
/// relu → MaxPool 2 stride 1 → Flatten → Dense 32 relu → Dense 10 (softmax), on 28×28×1 inputs given flat.
func tutorialCNN() throws -> Sequential {
    try Sequential(inputShape: [784], seed: 1) {
        Reshape(targetShape: [28, 28, 1])
        Convolution(spatialRank: 2, filters: 16, kernelSize: [8, 8], strides: [2, 2], padding: .same, activation: .relu)
        Pooling(.max, spatialRank: 2, poolSize: [2, 2], strides: [1, 1])
        Convolution(spatialRank: 2, filters: 32, kernelSize: [4, 4], strides: [2, 2], padding: .valid, activation: .relu)
        Pooling(.max, spatialRank: 2, poolSize: [2, 2], strides: [1, 1])
        Flatten()
        Dense(32, activation: .relu)
        Dense(10, activation: .softmax)
    }
}

/// Synthetic 28×28×1 images in [0, 1) and labels 0…9.
func tutorialCNNData(rows: Int) -> (Tensor, Tensor) {
    let g = SeededRandomSource(seed: 7)
    var gen = g
    let x = Tensor(shape: [rows, 784], values: (0..<(rows * 784)).map { _ in Float.random(in: 0..<1, using: &gen) })
    let y = Tensor(shape: [rows, 1], values: (0..<rows).map { _ in Float(Int.random(in: 0..<10, using: &gen)) })
    return (x, y)
}

/// `--cnn-memory-child private|plain`: 10 training steps of the tutorial CNN at batch 256 (all cores), prints
/// "baseline peak" max RSS in bytes (baseline: after the data and the model exist).
func tutorialCNNMemoryChild(mode: String, registry: PluginRegistry) throws {
    let batch = 256, rows = 2_560
    let (x, y) = tutorialCNNData(rows: rows)
    let model = try tutorialCNN()
    // Peak of the training alone: reset the kernel's high-water mark (Linux `clear_refs` 5) after the data and
    // the model exist, then read VmHWM; falls back to getrusage's lifetime peak where that is unavailable.
    let baseline = statusBytes("VmRSS") ?? maxRSSBytes()
    let reset = (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)) != nil
    if mode == "private" {
        let dp = try PrivateModel(model: model, l2NormClip: 1, noiseMultiplier: 1.1, registry: registry)
        dp.compile(optimizer: SGD(learningRate: 0.1), loss: SparseCategoricalCrossentropy())
        _ = try dp.fit(try PoissonLoader(features: x, labels: y, batchSize: batch), epochs: 1, targetDelta: 1e-5)
    } else {
        model.compile(optimizer: SGD(learningRate: 0.1), loss: SparseCategoricalCrossentropy())
        _ = try model.fit(x, y, epochs: 1, batchSize: batch, seed: 1)
    }
    print(baseline, reset ? statusBytes("VmHWM") ?? maxRSSBytes() : maxRSSBytes())
}

/// A `kB` field of /proc/self/status in bytes (`VmRSS`, `VmHWM`).
func statusBytes(_ field: String) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        let parts = line.split(whereSeparator: \.isWhitespace)
        if parts.count >= 2, let kb = Int(parts[1]) { return kb * 1024 }
    }
    return nil
}

func tutorialCNNChildMemory(mode: String) -> (peak: Int, growth: Int)? {
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    let p = Process()
    p.executableURL = exe
    p.arguments = ["--cnn-memory-child", mode]
    let pipe = Pipe()
    p.standardOutput = pipe
    do { try p.run() } catch { return nil }
    p.waitUntilExit()
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let parts = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
    guard parts.count == 2 else { return nil }
    return (parts[1], parts[1] - parts[0])
}

/// `dpflow-bench --cnn [N]`: the tutorial CNN on N synthetic rows (default 20,480), batch 256. One epoch plain
/// (`Sequential.fit`, shuffled batches, the batch split over every core) vs private (Poisson batches, per-example
/// clipping through the conv norm samplers, secure noise, the privatizer's batch split over every core), best of
/// 2 alternating rounds; wall and CPU time, and peak memory of each mode in a child process (10 steps at batch 256).
func runTutorialCNN(rows: Int, registry: PluginRegistry) throws {
    let batch = 256
    let (x, y) = tutorialCNNData(rows: rows)
    let plain = try tutorialCNN()
    plain.compile(optimizer: SGD(learningRate: 0.1), loss: SparseCategoricalCrossentropy())
    let privateNet = try tutorialCNN()
    let dp = try PrivateModel(model: privateNet, l2NormClip: 1, noiseMultiplier: 1.1, registry: registry)
    dp.compile(optimizer: SGD(learningRate: 0.1), loss: SparseCategoricalCrossentropy())
    let loader = try PoissonLoader(features: x, labels: y, batchSize: batch)
    let clock = ContinuousClock()
    var plainSeconds = Double.infinity, privateSeconds = Double.infinity
    var plainCPU = Double.infinity, privateCPU = Double.infinity
    for round in 0..<2 {
        let t0 = clock.now, c0 = cpuSeconds()
        _ = try plain.fit(x, y, epochs: 1, batchSize: batch, seed: UInt64(round + 2))
        plainSeconds = min(plainSeconds, seconds(clock.now - t0))
        plainCPU = min(plainCPU, cpuSeconds() - c0)
        let t1 = clock.now, c1 = cpuSeconds()
        let history = try dp.fit(loader, epochs: 1, targetDelta: 1e-5)
        privateSeconds = min(privateSeconds, seconds(clock.now - t1))
        privateCPU = min(privateCPU, cpuSeconds() - c1)
        precondition(history.isPrivate)
    }
    print("tutorial CNN (28×28×1, batch \(batch), \(rows) rows, OpenBLAS \(BLASKernelSelection.coreName), plain threads \(plain.trainingThreadCount), private threads \(dp.threadCount))")
    print(String(format: "plain %.0f ex/s   private %.0f ex/s   private/plain epoch time %.3f   CPU time %.3f",
                 Double(rows) / plainSeconds, Double(rows) / privateSeconds, privateSeconds / plainSeconds, privateCPU / plainCPU))
    if let p = tutorialCNNChildMemory(mode: "plain"), let q = tutorialCNNChildMemory(mode: "private") {
        print(String(format: "peak memory (batch 256, whole process during training): plain %.1f MB   private %.1f MB   private/plain %.3f   (above the data and model: %.1f / %.1f MB, ratio %.3f)",
                     Double(p.peak) / 1e6, Double(q.peak) / 1e6, Double(q.peak) / Double(p.peak), Double(p.growth) / 1e6, Double(q.growth) / 1e6,
                     Double(q.growth) / Double(max(p.growth, 1))))
    }
}
