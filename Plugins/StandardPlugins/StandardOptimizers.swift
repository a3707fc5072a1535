import PrivateLearning

extension StandardPlugins {
    /// The standard optimizers, each registered from its declaration (`Declarations/Optimizers+Plugin.swift`).
    static func registerOptimizers(into registry: inout PluginRegistry) throws {
        try registry.register(SGD.declaration, optimizer: SGD.make)
        try registry.register(Adam.declaration, optimizer: Adam.make)
        try registry.register(AdamW.declaration, optimizer: AdamW.make)
        try registry.register(Adagrad.declaration, optimizer: Adagrad.make)
        try registry.register(RMSprop.declaration, optimizer: RMSprop.make)
    }
}
