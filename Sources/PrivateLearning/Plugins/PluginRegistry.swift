/// Builds a layer from its parameters (e.g. `units`, `activation`).
public typealias LayerFactory = @Sendable (PluginParameters) throws -> any Layer
/// Builds a loss from its parameters (e.g. `from_logits`).
public typealias LossFactory = @Sendable (PluginParameters) throws -> any Loss
/// Builds an optimizer from its parameters (e.g. `learning_rate`).
public typealias OptimizerFactory = @Sendable (PluginParameters) throws -> any Optimizer

/// Documentation of one plugin parameter, shown by `dpflow plugins`.
public struct ParameterDescription: Sendable, Equatable {
    public var name: String
    /// Type and accepted values, e.g. "int > 0", "relu|sigmoid|…".
    public var type: String
    /// Default as written in a pipeline file, nil when required.
    public var defaultValue: String?
    public var summary: String

    public init(_ name: String, type: String, default defaultValue: String? = nil, _ summary: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.summary = summary
    }
}

/// Kind of a plugin, used in listings and errors.
public enum PluginKind: String, Sendable, CaseIterable {
    case layer, loss, optimizer
}

/// Maps names used in pipeline files (Keras spellings) to factories.
///
/// A value, passed explicitly — never a global. Built-in and third-party plugins register
/// through the same methods:
/// ```swift
/// var registry = PluginRegistry()
/// try StandardPlugins.register(into: &registry)
/// try registry.registerLayer("gated", parameters: [...]) { params in try GatedLayer(params) }
/// let dense = try registry.makeLayer("dense", parameters: ["units": .int(16)])
/// ```
public struct PluginRegistry: Sendable {
    struct Entry<Factory: Sendable>: Sendable {
        var factory: Factory
        var parameters: [ParameterDescription]
        var summary: String
        var aliasOf: String?
    }

    var layers: [String: Entry<LayerFactory>] = [:]
    var losses: [String: Entry<LossFactory>] = [:]
    var optimizers: [String: Entry<OptimizerFactory>] = [:]
    /// Fast per-unit norm paths, keyed by layer type (see `NormSampler`).
    var normSamplers: [ObjectIdentifier: NormSampler] = [:]
    /// Declarations of plugins registered with `register(_:…)`, by kind and name (aliases included).
    var declarations: [PluginKind: [String: PluginDeclaration]] = [:]
    /// Registrations for higher layers, by a key the owning layer chooses (see `PluginRegistry+HostExtensions`).
    var hostExtensions: [String: any Sendable] = [:]

    public init() {}

    // MARK: Registration

    /// Registers a layer factory under `name`.
    /// - Throws: `PrivateLearningError.duplicatePlugin` unless `replacing` is true.
    public mutating func registerLayer(_ name: String, summary: String = "", parameters: [ParameterDescription] = [],
                                       replacing: Bool = false, factory: @escaping LayerFactory) throws {
        if !replacing, layers[name] != nil { throw PrivateLearningError.duplicatePlugin(kind: "layer", name: name) }
        layers[name] = Entry(factory: factory, parameters: parameters, summary: summary, aliasOf: nil)
    }

    /// Registers a loss factory under `name`.
    public mutating func registerLoss(_ name: String, summary: String = "", parameters: [ParameterDescription] = [],
                                      replacing: Bool = false, factory: @escaping LossFactory) throws {
        if !replacing, losses[name] != nil { throw PrivateLearningError.duplicatePlugin(kind: "loss", name: name) }
        losses[name] = Entry(factory: factory, parameters: parameters, summary: summary, aliasOf: nil)
    }

    /// Registers an optimizer factory under `name`.
    public mutating func registerOptimizer(_ name: String, summary: String = "", parameters: [ParameterDescription] = [],
                                           replacing: Bool = false, factory: @escaping OptimizerFactory) throws {
        if !replacing, optimizers[name] != nil { throw PrivateLearningError.duplicatePlugin(kind: "optimizer", name: name) }
        optimizers[name] = Entry(factory: factory, parameters: parameters, summary: summary, aliasOf: nil)
    }

    /// Makes `alias` another name for the already registered `name` (e.g. `mse` → `mean_squared_error`).
    public mutating func registerAlias(_ alias: String, for name: String, kind: PluginKind, replacing: Bool = false) throws {
        switch kind {
        case .layer:
            guard var e = layers[name] else { throw unknown(kind, name) }
            if !replacing, layers[alias] != nil { throw PrivateLearningError.duplicatePlugin(kind: "layer", name: alias) }
            e.aliasOf = name; layers[alias] = e
        case .loss:
            guard var e = losses[name] else { throw unknown(kind, name) }
            if !replacing, losses[alias] != nil { throw PrivateLearningError.duplicatePlugin(kind: "loss", name: alias) }
            e.aliasOf = name; losses[alias] = e
        case .optimizer:
            guard var e = optimizers[name] else { throw unknown(kind, name) }
            if !replacing, optimizers[alias] != nil { throw PrivateLearningError.duplicatePlugin(kind: "optimizer", name: alias) }
            e.aliasOf = name; optimizers[alias] = e
        }
    }

    /// Registers a fast per-unit gradient-norm path for the layer type `type` (any module may
    /// register one for its own layers; layers without one use the generic fallback).
    /// - Throws: `PrivateLearningError.duplicatePlugin` unless `replacing` is true.
    public mutating func registerNormSampler<L: Layer & SendableMetatype>(for type: L.Type, replacing: Bool = false,
                                                       _ sampler: @escaping @Sendable (L, NormSamplerInput) -> [Float]) throws {
        let key = ObjectIdentifier(type)
        if !replacing, normSamplers[key] != nil {
            throw PrivateLearningError.duplicatePlugin(kind: "norm sampler", name: String(describing: type))
        }
        normSamplers[key] = NormSampler(for: type, sampler)
    }

    /// The norm sampler registered for `layer`'s exact type, if any.
    public func normSampler(for layer: any Layer) -> NormSampler? {
        normSamplers[ObjectIdentifier(type(of: layer))]
    }

    // MARK: Construction

    /// Builds the layer registered as `name`.
    /// - Throws: `unknownPlugin` with the nearest registered name, or the factory's parameter errors.
    public func makeLayer(_ name: String, parameters: PluginParameters = [:]) throws -> any Layer {
        guard let e = layers[name] else { throw unknown(.layer, name) }
        return try e.factory(parameters)
    }

    /// Builds the loss registered as `name`.
    public func makeLoss(_ name: String, parameters: PluginParameters = [:]) throws -> any Loss {
        guard let e = losses[name] else { throw unknown(.loss, name) }
        return try e.factory(parameters)
    }

    /// Builds the optimizer registered as `name`.
    public func makeOptimizer(_ name: String, parameters: PluginParameters = [:]) throws -> any Optimizer {
        guard let e = optimizers[name] else { throw unknown(.optimizer, name) }
        return try e.factory(parameters)
    }

    // MARK: Listing

    public var layerNames: [String] { layers.keys.sorted() }
    public var lossNames: [String] { losses.keys.sorted() }
    public var optimizerNames: [String] { optimizers.keys.sorted() }

    /// Registered names of one kind, sorted.
    public func names(of kind: PluginKind) -> [String] {
        switch kind {
        case .layer: layerNames
        case .loss: lossNames
        case .optimizer: optimizerNames
        }
    }

    /// Documented parameters of a plugin, nil when the name is not registered.
    public func parameterDescriptions(of kind: PluginKind, _ name: String) -> [ParameterDescription]? {
        switch kind {
        case .layer: layers[name]?.parameters
        case .loss: losses[name]?.parameters
        case .optimizer: optimizers[name]?.parameters
        }
    }

    /// One-line summary of a plugin, nil when the name is not registered.
    public func summary(of kind: PluginKind, _ name: String) -> String? {
        switch kind {
        case .layer: layers[name].map { $0.aliasOf.map { "alias of \($0)" } ?? $0.summary }
        case .loss: losses[name].map { $0.aliasOf.map { "alias of \($0)" } ?? $0.summary }
        case .optimizer: optimizers[name].map { $0.aliasOf.map { "alias of \($0)" } ?? $0.summary }
        }
    }

    /// Nearest registered name of any kind, for "did you mean" messages.
    public func suggestion(for unknownName: String) -> String? {
        NameSuggestion.nearest(to: unknownName, in: layerNames + lossNames + optimizerNames)
    }

    /// Nearest registered name of one kind.
    public func suggestion(for unknownName: String, kind: PluginKind) -> String? {
        NameSuggestion.nearest(to: unknownName, in: names(of: kind))
    }

    private func unknown(_ kind: PluginKind, _ name: String) -> PrivateLearningError {
        .unknownPlugin(kind: kind.rawValue, name: name, suggestion: suggestion(for: name, kind: kind))
    }
}
