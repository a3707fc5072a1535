import Foundation

/// The files `dpflow plugin new NAME` writes: a SwiftPM package with a layer (with a fast per-example norm
/// path), a loss, their conformance and reference tests, the plugin library's entry point and a sample pipeline.
struct PluginTemplate {
    /// Package name as given (`demo`, `my-layers`).
    var name: String
    /// Absolute path of the dpflow checkout the package depends on.
    var dpflowPath: String

    /// `demo` → `Demo`, `my-layers` → `MyLayers`.
    var module: String {
        name.split(whereSeparator: { $0 == "-" || $0 == "_" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
    /// `my-layers` → `my_layers` (prefix of the registered names).
    var snake: String { name.replacingOccurrences(of: "-", with: "_") }
    /// SwiftPM's identity of a path dependency: the folder's name, lower-cased.
    var dpflowIdentity: String { (dpflowPath as NSString).lastPathComponent.lowercased() }

    /// A valid name starts with a lower-case letter and uses only a–z, 0–9, '-' and '_' (at most 40 characters).
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first), name.count <= 40 else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }

    /// Relative path → file text.
    var files: [(String, String)] {
        [
            ("Package.swift", packageManifest),
            (".gitignore", ".build/\nPackage.resolved\nruns/\n"),
            ("README.md", readme),
            ("Sources/\(module)/\(module)Plugins.swift", registration),
            ("Sources/\(module)/FeatureScale.swift", layer),
            ("Sources/\(module)/BrierLoss.swift", loss),
            ("Sources/\(module)/ParameterCountStage.swift", stage),
            ("Sources/\(module)Library/EntryPoint.swift", entryPoint),
            ("Tests/\(module)Tests/\(module)Tests.swift", tests),
            ("pipelines/\(snake).yaml", pipeline),
            ("pipelines/data/synthetic.csv", Self.syntheticCSV()),
        ]
    }

    var packageManifest: String {
        """
        // swift-tools-version:6.0
        // A dpflow plugin package: `swift build`, then `dpflow run --plugin .build/debug/lib\(module)Plugin.so pipelines/\(snake).yaml`.
        import PackageDescription

        let package = Package(
            name: "\(name)",
            platforms: [.macOS(.v13)],
            products: [
                // The loadable plugin library: one shared object with the `dpflow_plugin_entry` C entry point.
                .library(name: "\(module)Plugin", type: .dynamic, targets: ["\(module)Library"]),
            ],
            dependencies: [
                // The dpflow checkout this plugin is built against (the same one whose `dpflow` loads it).
                .package(path: "\(dpflowPath)"),
            ],
            targets: [
                // DPFlowPluginAPI is dpflow's *dynamic* product (PrivateLearning + StandardPlugins + DPPipeline): the plugin links against
                // it instead of embedding a copy, so at load time it uses the types of the dpflow that loads it.
                .target(name: "\(module)", dependencies: [.product(name: "DPFlowPluginAPI", package: "\(dpflowIdentity)")]),
                .target(name: "\(module)Library", dependencies: ["\(module)", .product(name: "DPFlowPluginAPI", package: "\(dpflowIdentity)")]),
                .testTarget(name: "\(module)Tests", dependencies: ["\(module)", .product(name: "DPFlowPluginAPI", package: "\(dpflowIdentity)")]),
            ]
        )

        """
    }

    var registration: String {
        """
        import DPPipeline
        import PrivateLearning

        /// The plugins of this package, each declared once (name, parameters, target encoding).
        public enum \(module)Plugins {
            /// Registers `\(snake)_feature_scale` (layer, with its fast norm sampler) and `\(snake)_brier` (loss).
            public static func register(into registry: inout PluginRegistry) throws {
                try registry.register(FeatureScale.declaration, layer: { _ in FeatureScale() })
                try registry.registerNormSampler(for: FeatureScale.self, FeatureScale.squaredNorms)
                try registry.register(BrierLoss.declaration, loss: { p in BrierLoss(fromLogits: try p.bool("from_logits")) })
                // A pipeline stage (docs/plugins.md, "Writing a pipeline stage"), moved into dpflow's stage registry on load.
                try registry.registerStage(ParameterCountStage.definition)
            }
        }

        extension FeatureScale {
            public static let declaration = PluginDeclaration(
                layer: "\(snake)_feature_scale", summary: "per-feature scale and shift y = x ⊙ γ + β; fast per-example norms")
        }

        extension BrierLoss {
            /// Trained on 0/1 targets: the pipeline encodes a two-valued label as class indices.
            public static let declaration = PluginDeclaration(
                loss: "\(snake)_brier", summary: "Brier score: mean of (p − y)² over outputs per example", targetEncoding: .binary,
                parameters: [.bool("from_logits", default: false, "predictions are logits (a sigmoid is applied first)")])
        }

        """
    }

    var stage: String {
        """
        import DPPipeline
        import Foundation

        /// `\(snake)_parameter_count: {file: NAME}` — a sample stage: reads the trained model through its typed key,
        /// writes its parameter count into the output folder, and leaves the count for later stages.
        /// DP: the model is a DP release, so this is post-processing and costs nothing (`cost` keeps the default, free).
        public struct ParameterCountStage: PipelineStage {
            public static let kind = "\(snake)_parameter_count"
            /// What this stage leaves for later stages: a typed key (prefix the name with your package's).
            public static let count = ArtifactKey<Int>("\(snake).parameter_count", producedBy: kind)

            public var position: SourcePosition
            public var file: String

            public var inputs: [PipelineArtifact] { [Artifacts.model.erased] }   // refused at validation without 'train'
            public var outputs: [PipelineArtifact] { [Self.count.erased] }

            public static let definition = StageDefinition(
                name: kind, summary: "write the trained model's parameter count to the output folder",
                keys: [.init("file", "name", "file name without extension (default parameter_count)")],
                ordering: .init(after: ["train"], atMostOnce: true),
                decode: { value, diagnostics in
                    if value.isNull { return ParameterCountStage(position: value.position, file: "parameter_count") }
                    guard var r = SpecMappingReader(value, what: "'\\(value.path)'", diagnostics: &diagnostics) else { return nil }
                    let file = r.string("file", diagnostics: &diagnostics) ?? "parameter_count"
                    r.finish(diagnostics: &diagnostics)
                    guard !file.isEmpty, !file.contains("/"), !file.hasPrefix(".") else {
                        diagnostics.error(value.position, "'\\(value.path).file' must be a plain file name")
                        return nil
                    }
                    return ParameterCountStage(position: value.position, file: file)
                })

            public init(position: SourcePosition, file: String) {
                self.position = position
                self.file = file
            }

            public func resolve(_ context: inout ResolutionContext) {}

            public func run(_ context: inout RunContext) throws {
                guard let trained = context[Artifacts.model] else {
                    throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no trained model")
                }
                let count = trained.model.parameters.reduce(0) { $0 + $1.storage.count }
                let name = file + ".txt"
                do {
                    try "\\(count)\\n".write(toFile: context.options.outputDirectory + "/" + name, atomically: true, encoding: .utf8)
                } catch {
                    throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "cannot write \\(name): \\(error)")
                }
                context.outputs.append(name)
                context[Self.count] = count
                context.logForAuthor("\\(Self.kind): \\(count) parameters (post-processing of the DP model)")
            }
        }

        """
    }

    var layer: String {
        """
        import PrivateLearning

        /// `y = x ⊙ γ + β` with one learned scale γ_j and shift β_j per feature (initialised to 1 and 0).
        ///
        /// Stateless, as every dpflow layer: `forward` returns what `backward` and `parameterGradients` need as its
        /// `saved` value (here the input), and the layer keeps no batch state, so threads can share it.
        /// Its fast norm path is `squaredNorms`, registered for this type in `\(module)Plugins.register(into:)`.
        public final class FeatureScale: Layer {
            public let typeName = "\(snake)_feature_scale"
            public var parameters: [Tensor] = []
            /// Features per example, fixed by `build`.
            public private(set) var features = 0

            public init() {}

            public var configuration: PluginParameters { [:] }

            public func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
                guard inputShape.count == 1, inputShape[0] > 0 else {
                    throw PrivateLearningError.incompatibleShape(layer: typeName, index: index, inputShape: inputShape,
                                                                 reason: "needs a flat feature vector per example")
                }
                features = inputShape[0]
                parameters = [Tensor(shape: [features], values: [Float](repeating: 1, count: features)), Tensor(zeros: [features])]
                return inputShape
            }

            public func forward(_ x: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
                let b = x.rows
                let input = x.reshaped([b, features])
                var y = [Float](repeating: 0, count: b * features)
                for r in 0..<b {
                    for j in 0..<features {
                        y[r * features + j] = input.storage[r * features + j] * parameters[0].storage[j] + parameters[1].storage[j]
                    }
                }
                return (Tensor(shape: [b, features], values: y), input)   // saved: the input, never cached in the layer
            }

            public func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor {
                let b = outputGradient.rows
                var dx = [Float](repeating: 0, count: b * features)
                for r in 0..<b {
                    for j in 0..<features { dx[r * features + j] = outputGradient.storage[r * features + j] * parameters[0].storage[j] }
                }
                return Tensor(shape: [b, features], values: dx)
            }

            /// `Σ_i w_i·(dy_i ⊙ x_i)` and `Σ_i w_i·dy_i`.
            public func parameterGradients(outputGradient: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] {
                let input = savedValue(saved, as: Tensor.self, layer: typeName)
                var gScale = [Float](repeating: 0, count: features)
                var gShift = [Float](repeating: 0, count: features)
                for r in 0..<outputGradient.rows {
                    let w = exampleWeights?[r] ?? 1
                    if w == 0 { continue }   // dropped examples do not enter the sum at all
                    for j in 0..<features {
                        let d = outputGradient.storage[r * features + j]
                        gScale[j] += w * d * input.storage[r * features + j]
                        gShift[j] += w * d
                    }
                }
                return [Tensor(shape: [features], values: gScale), Tensor(shape: [features], values: gShift)]
            }

            /// The fast norm path: privacy unit u's gradient is `(Σ_{i∈u} dy_i ⊙ x_i, Σ_{i∈u} dy_i)`, so its squared
            /// norm is `Σ_j (Σ_{i∈u} dy_ij·x_ij)² + Σ_j (Σ_{i∈u} dy_ij)²`, computed in O(B·F) without materialising
            /// per-example gradients. One value per unit (a unit is one example unless the pipeline groups rows).
            public static func squaredNorms(_ layer: FeatureScale, _ input: NormSamplerInput) -> [Float] {
                let x = savedValue(input.saved, as: Tensor.self, layer: layer.typeName)
                let g = input.outputGradient, f = layer.features
                return (0..<input.units.count).map { u in
                    var scale = [Float](repeating: 0, count: f), shift = [Float](repeating: 0, count: f)
                    for r in input.units.rows(of: u) {
                        for j in 0..<f {
                            let d = g.storage[r * f + j]
                            scale[j] += d * x.storage[r * f + j]
                            shift[j] += d
                        }
                    }
                    var s: Float = 0
                    for j in 0..<f { s += scale[j] * scale[j] + shift[j] * shift[j] }
                    return s
                }
            }
        }

        """
    }

    var loss: String {
        """
        import Foundation
        import PrivateLearning

        /// Brier score for 0/1 targets: per example, the mean over outputs of `(p − y)²`, with `p = σ(z)` when
        /// `fromLogits`. A loss only maps predictions to per-example losses and gradients; DP-SGD clips and noises them.
        public struct BrierLoss: Loss, Sendable {
            public let typeName = "\(snake)_brier"
            public var fromLogits: Bool

            public init(fromLogits: Bool = false) { self.fromLogits = fromLogits }

            public var configuration: PluginParameters { ["from_logits": .bool(fromLogits)] }

            func probability(_ v: Float) -> Float { fromLogits ? 1 / (1 + exp(-v)) : v }

            public func perExampleLoss(predictions: Tensor, targets: Tensor) -> [Float] {
                let k = predictions.columns
                return (0..<predictions.rows).map { r in
                    var s: Float = 0
                    for j in 0..<k {
                        let d = probability(predictions.storage[r * k + j]) - targets.storage[r * k + j]
                        s += d * d
                    }
                    return s / Float(k)
                }
            }

            public func perExampleGradient(predictions: Tensor, targets: Tensor) -> Tensor {
                var g = predictions
                let k = Float(predictions.columns)
                for i in 0..<g.count {
                    let p = probability(predictions.storage[i])
                    let dp = 2 * (p - targets.storage[i]) / k
                    g.storage[i] = fromLogits ? dp * p * (1 - p) : dp
                }
                return g
            }
        }

        """
    }

    var entryPoint: String {
        """
        import \(module)
        import PrivateLearning

        /// The plugin library's one C entry point. `PluginLibraryABI.enter` checks dpflow's plugin-API version and
        /// build fingerprint against the ones this library was compiled with before registering anything.
        @_cdecl("dpflow_plugin_entry")
        public func dpflowPluginEntry(_ host: UnsafeMutableRawPointer?) -> Int32 {
            PluginLibraryABI.enter(host) { registry in try \(module)Plugins.register(into: &registry) }
        }

        """
    }

    var tests: String {
        """
        import Foundation
        import PrivateLearning
        import Testing
        @testable import \(module)

        @Test func featureScalePassesTheConformanceChecker() throws {
            // Forward rows, per-example gradients, weighted sums, finite differences, statelessness; with the
            // registry, also the registered norm sampler against the generic norms (per example and grouped units).
            var registry = PluginRegistry()
            try \(module)Plugins.register(into: &registry)
            let report = try LayerConformance.check({ FeatureScale() }, inputShape: [5], batchSize: 7, registry: registry)
            #expect(report.passed, "\\(report)")
            #expect(report.maxRelativeErrors.keys.contains { $0.contains("norm sampler") }, "\\(report)")
        }

        @Test func featureScaleNormsAreTheFastPath() throws {
            var registry = PluginRegistry()
            try \(module)Plugins.register(into: &registry)
            #expect(registry.normSampler(for: FeatureScale()) != nil)
        }

        @Test func brierMatchesHandComputedValues() {
            // p = (0.2, 0.9), y = (0, 1): ℓ = ((0.2)² + (0.1)²) / 2 = 0.025; ∂ℓ/∂p = 2(p − y)/2 = (0.2, −0.1).
            let loss = BrierLoss()
            let p = Tensor(shape: [1, 2], values: [0.2, 0.9]), y = Tensor(shape: [1, 2], values: [0, 1])
            #expect(abs(loss.perExampleLoss(predictions: p, targets: y)[0] - 0.025) < 1e-6)
            let g = loss.perExampleGradient(predictions: p, targets: y).storage
            #expect(abs(g[0] - 0.2) < 1e-6 && abs(g[1] + 0.1) < 1e-6)
        }

        @Test func brierGradientFromLogitsMatchesFiniteDifferences() {
            let loss = BrierLoss(fromLogits: true)
            let z: [Float] = [-1.5, 0.3, 2.0], y: [Float] = [0, 1, 1]
            let t = Tensor(shape: [3, 1], values: y)
            let g = loss.perExampleGradient(predictions: Tensor(shape: [3, 1], values: z), targets: t).storage
            for i in 0..<3 {
                let h: Float = 1e-2
                var up = z, down = z
                up[i] += h; down[i] -= h
                let numeric = (loss.perExampleLoss(predictions: Tensor(shape: [3, 1], values: up), targets: t)[i]
                    - loss.perExampleLoss(predictions: Tensor(shape: [3, 1], values: down), targets: t)[i]) / (2 * h)
                #expect(abs(numeric - g[i]) < 1e-3)
            }
        }

        @Test func declarationsCheckParametersAndStateTargets() throws {
            var registry = PluginRegistry()
            try \(module)Plugins.register(into: &registry)
            #expect(registry.targetEncoding(ofLoss: "\(snake)_brier") == .binary)
            #expect(throws: PrivateLearningError.self) { try registry.makeLoss("\(snake)_brier", parameters: ["from_logit": .bool(true)]) }
            _ = try registry.makeLayer("\(snake)_feature_scale")
        }

        """
    }

    var pipeline: String {
        """
        # A sample pipeline using this package's plugins. Run it with
        #   dpflow run --plugin .build/debug/lib\(module)Plugin.so pipelines/\(snake).yaml --output runs/\(snake)
        # or name the library in the file itself (relative to this file):
        #   plugins: [../.build/debug/lib\(module)Plugin.so]
        name: \(snake)-sample
        privacy:
          dataset: \(snake)-synthetic
          budget: {epsilon: 4.0, delta: 1e-5}
          public_size: 400
        stages:
          - load:
              csv: data/synthetic.csv
              schema:
                default: {type: number, min: -3, max: 3}
                label: {type: category, values: [0, 1]}
          - select: {features: all, label: label}
          - split: {test_fraction: 0.25, seed: 0}
          - train:
              model:
                - \(snake)_feature_scale
                - dense: {units: 8, activation: relu}
                - dense: {units: 1, activation: sigmoid}
              loss: \(snake)_brier
              optimizer: {adam: {learning_rate: 0.02}}
              l2_norm_clip: 1.0
              target_epsilon: 3.0
              batch_size: 32
              epochs: 10
          - predict: {label_columns: [predicted]}
          - evaluate: {metrics: [accuracy], epsilon: 0.2}
          - \(snake)_parameter_count: {file: parameter_count}

        """
    }

    var readme: String {
        """
        # \(name): a dpflow plugin package

        - `Sources/\(module)/FeatureScale.swift`: a stateless layer and its fast norm sampler (`registerNormSampler`).
        - `Sources/\(module)/BrierLoss.swift`: a loss that declares binary targets.
        - `Sources/\(module)/ParameterCountStage.swift`: a pipeline stage (typed artifact keys, ordering, cost).
        - `Sources/\(module)/\(module)Plugins.swift`: one declaration per plugin and the registration.
        - `Sources/\(module)Library/EntryPoint.swift`: the `dpflow_plugin_entry` C entry point of the loadable library.
        - `Tests/`: conformance and reference tests (`swift test`).
        - `pipelines/\(snake).yaml`: a sample pipeline on synthetic data.

        ```sh
        swift build
        dpflow plugins --plugin .build/debug/lib\(module)Plugin.so
        dpflow run --plugin .build/debug/lib\(module)Plugin.so pipelines/\(snake).yaml --output runs/\(snake)
        ```

        A plugin runs inside dpflow with dpflow's privileges: it can read the data and break every privacy guarantee.
        Build it with the same Swift toolchain and against the same dpflow checkout as the `dpflow` that loads it
        (it is refused otherwise).

        """
    }

    /// 400 rows of public synthetic data: 4 features in [−3, 3] from a fixed linear congruential sequence, and a
    /// label from a fixed linear rule with a few flipped rows.
    static func syntheticCSV() -> String {
        var state: UInt64 = 20_261_203
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        var lines = ["x1,x2,x3,x4,label"]
        for _ in 0..<400 {
            let x = (0..<4).map { _ in (next() * 6 - 3) }
            var label = 0.8 * x[0] - 0.5 * x[1] + 0.3 * x[2] > 0.1 ? 1 : 0
            if next() < 0.05 { label = 1 - label }
            lines.append(x.map { String(format: "%.3f", $0) }.joined(separator: ",") + ",\(label)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
