import PrivateLearning

extension StandardPlugins {
    /// The standard losses, each registered from its declaration (`Declarations/Losses+Plugin.swift`).
    static func registerLosses(into registry: inout PluginRegistry) throws {
        try registry.register(BinaryCrossentropy.declaration, loss: BinaryCrossentropy.make)
        try registry.register(MeanSquaredError.declaration, loss: MeanSquaredError.make)
        try registry.register(CategoricalCrossentropy.declaration, loss: CategoricalCrossentropy.make)
        try registry.register(SparseCategoricalCrossentropy.declaration, loss: SparseCategoricalCrossentropy.make)
        try registry.register(MeanAbsoluteError.declaration, loss: MeanAbsoluteError.make)
        try registry.register(Huber.declaration, loss: Huber.make)
    }
}
