import Foundation
import PrivateLearning
import StandardPlugins
import Testing

/// Issue 12: a model beyond the resource limits is refused from its shapes, before any layer
/// allocates (`units: 1000000000` used to fail with "failed to allocate 12000000032 bytes").
@Suite("Model resource limits")
struct ResourceLimitTests {
    static func refusal(_ body: () throws -> Void) -> (index: Int, reason: String)? {
        do { try body(); return nil } catch let PrivateLearningError.resourceLimitExceeded(_, index, reason) {
            return (index, reason)
        } catch { return (-1, "\(error)") }
    }

    @Test("a billion-unit dense layer is refused before allocation, naming the layer")
    func billionUnits() throws {
        let dense = Dense(1_000_000_000)
        let r = Self.refusal { _ = try Sequential(inputShape: [30], layers: [Dense(8), dense], seed: 0) }
        #expect(r?.index == 1, "\(String(describing: r))")
        #expect(r?.reason.contains("more than 1000000000 parameters") == true)
        #expect(dense.parameters.isEmpty, "nothing of the refused layer was allocated")
        // Through the registry, as a pipeline builds it.
        var registry = PluginRegistry()
        try StandardPlugins.register(into: &registry)
        let layer = try registry.makeLayer("dense", parameters: ["units": .int(1_000_000_000)])
        #expect(Self.refusal { _ = try Sequential(inputShape: [30], layers: [layer], seed: 0) }?.index == 0)
    }

    @Test("shape products that overflow Int are errors, not traps")
    func overflowingShapes() {
        #expect(Self.refusal { _ = try Sequential(inputShape: [Int.max / 2], layers: [Dense(4)], seed: 0) } != nil)
        #expect(Self.refusal {
            _ = try Sequential(inputShape: [3], layers: [Dense(1 << 40), Dense(1 << 40)], seed: 0)
        } != nil)
        #expect(throws: PrivateLearningError.self) {
            _ = try Sequential(inputShape: [1 << 32, 1 << 32], layers: [Flatten()], seed: 0)
        }
        #expect(Self.refusal {
            _ = try Sequential(inputShape: [4], layers: [Embedding(inputDim: Int.max / 2, outputDim: 4)], seed: 0)
        } != nil)
    }

    @Test("memory at the batch size counts activations; the limit names the figures")
    func memoryAtBatchSize() throws {
        let limits = ModelResourceLimits(maximumParameters: 1_000_000_000, maximumBytes: 64 << 20)   // 64 MiB
        // 100 → 1000 → 1: ~0.1 M parameters, fine at batch 32 …
        _ = try Sequential(inputShape: [100], layers: [Dense(1000), Dense(1)], seed: 0, batchSize: 32, limits: limits)
        // … but activations of 1001 floats per example at batch 10⁶ need ~64 GB.
        let r = Self.refusal {
            _ = try Sequential(inputShape: [100], layers: [Dense(1000), Dense(1)], seed: 0, batchSize: 1_000_000, limits: limits)
        }
        #expect(r?.reason.contains("at batch size 1000000") == true, "\(String(describing: r))")
        let model = try Sequential(inputShape: [100], layers: [Dense(1000), Dense(1)], seed: 0)
        let estimate = model.resourceEstimate(batchSize: 32)
        #expect(estimate.parameters == model.parameterCount)
        #expect(estimate.activationsPerExample == 100 + 1000 + 1)
        #expect(estimate.bytes == UInt64(16 * model.parameterCount + 16 * 32 * 1101))
    }

    @Test("the default limits: 10⁹ parameters, half of physical memory")
    func defaults() {
        let l = ModelResourceLimits.standard
        #expect(l.maximumParameters == 1_000_000_000)
        #expect(l.maximumBytes == ProcessInfo.processInfo.physicalMemory / 2)
    }
}
