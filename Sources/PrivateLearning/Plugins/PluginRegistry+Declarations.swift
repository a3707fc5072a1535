/// Registration from a `PluginDeclaration`: the factory receives parameters already checked against the
/// declaration, and listings, Keras names and target encodings are read from it.
extension PluginRegistry {
    /// Registers a layer declared by `declaration` (and its aliases).
    /// - Throws: `duplicatePlugin` unless `replacing`; `invalidConfiguration` if the declaration is not a layer's.
    public mutating func register(_ declaration: PluginDeclaration, replacing: Bool = false,
                                  layer factory: @escaping @Sendable (DeclaredParameters) throws -> any Layer) throws {
        try expect(declaration, .layer)
        try registerLayer(declaration.name, summary: declaration.summary, parameters: declaration.parameterDescriptions,
                          replacing: replacing) { try factory(DeclaredParameters($0, declaration: declaration)) }
        try finish(declaration, replacing: replacing)
    }

    /// Registers a loss declared by `declaration` (and its aliases).
    public mutating func register(_ declaration: PluginDeclaration, replacing: Bool = false,
                                  loss factory: @escaping @Sendable (DeclaredParameters) throws -> any Loss) throws {
        try expect(declaration, .loss)
        try registerLoss(declaration.name, summary: declaration.summary, parameters: declaration.parameterDescriptions,
                         replacing: replacing) { try factory(DeclaredParameters($0, declaration: declaration)) }
        try finish(declaration, replacing: replacing)
    }

    /// Registers an optimizer declared by `declaration` (and its aliases).
    public mutating func register(_ declaration: PluginDeclaration, replacing: Bool = false,
                                  optimizer factory: @escaping @Sendable (DeclaredParameters) throws -> any Optimizer) throws {
        try expect(declaration, .optimizer)
        try registerOptimizer(declaration.name, summary: declaration.summary, parameters: declaration.parameterDescriptions,
                              replacing: replacing) { try factory(DeclaredParameters($0, declaration: declaration)) }
        try finish(declaration, replacing: replacing)
    }

    private func expect(_ declaration: PluginDeclaration, _ kind: PluginKind) throws {
        guard declaration.kind == kind else {
            throw PrivateLearningError.invalidConfiguration(
                "'\(declaration.name)' is declared as a \(declaration.kind.rawValue) but registered as a \(kind.rawValue)")
        }
        if kind == .loss, declaration.targetEncoding == nil {
            throw PrivateLearningError.invalidConfiguration("loss '\(declaration.name)' must declare its target encoding")
        }
    }

    private mutating func finish(_ declaration: PluginDeclaration, replacing: Bool) throws {
        declarations[declaration.kind, default: [:]][declaration.name] = declaration
        for alias in declaration.aliases {
            try registerAlias(alias, for: declaration.name, kind: declaration.kind, replacing: replacing)
            declarations[declaration.kind, default: [:]][alias] = declaration
        }
    }

    /// The declaration of a registered plugin (aliases resolve to their target's), nil when it was registered
    /// without one or is unknown.
    public func declaration(of kind: PluginKind, _ name: String) -> PluginDeclaration? {
        declarations[kind]?[name]
    }

    /// Declarations of one kind, one per plugin (aliases not repeated), sorted by name.
    public func declarations(of kind: PluginKind) -> [PluginDeclaration] {
        (declarations[kind] ?? [:]).filter { $0.key == $0.value.name }.values.sorted { $0.name < $1.name }
    }

    /// The target encoding loss `name` declares; nil for an unknown loss or one registered without a declaration.
    public func targetEncoding(ofLoss name: String) -> TargetEncoding? {
        declaration(of: .loss, name)?.targetEncoding
    }

    /// The layer declaration whose Keras class is `className`.
    public func layerDeclaration(kerasClass className: String) -> PluginDeclaration? {
        declarations(of: .layer).first { $0.keras?.className == className }
    }
}
