import PrivateLearning

extension Recurrent {
    static let activationChoices = RecurrentActivation.allCases.map(\.rawValue)

    /// The parameters `gru`, `lstm` and `bidirectional` share (Keras names and defaults).
    static func sharedParameters(_ cell: Cell?) -> [DeclaredParameter] {
        var p: [DeclaredParameter] = [
            .int("units", min: 1, "state size u (outputs per step)"),
            .choice("activation", activationChoices, default: "tanh", "activation of the candidate and of the cell output"),
            .choice("recurrent_activation", activationChoices, default: "sigmoid", "activation of the gates"),
            .bool("use_bias", default: true, "add bias vectors"),
            .bool("return_sequences", default: false, "output every step [T, u] rather than the last [u]"),
            .choice("kernel_initializer", StandardChoices.initializers, default: "glorot_uniform", "initial input kernel [I, G·u]"),
            .choice("recurrent_initializer", ["orthogonal"] + StandardChoices.initializers, default: "orthogonal",
                    "initial recurrent kernel [u, G·u]"),
            .choice("bias_initializer", StandardChoices.initializers, default: "zeros", "initial bias"),
        ]
        if cell != .gru { p.append(.bool("unit_forget_bias", default: true, "LSTM: forget-gate bias starts at 1")) }
        if cell != .lstm { p.append(.fixed("reset_after", [.bool(true)], expected: "true (Keras 3 default; GRU bias [2, 3u])")) }
        return p
    }

    /// Keras options dpflow accepts only at their default (no dropout inside the cell, no state in or out).
    static let kerasFixed: [String: KerasDeclaration.FixedOption] = [
        "dropout": .init([.int(0), .double(0)], "dropout inside the cell is not implemented; put a Dropout layer before it"),
        "recurrent_dropout": .init([.int(0), .double(0)], "recurrent dropout is not implemented"),
        "return_state": .init([.bool(false)], "returning the state is not implemented"),
        "go_backwards": .init([.bool(false)], "go_backwards alone is not implemented; use Bidirectional"),
        "stateful": .init([.bool(false)], "stateful layers keep batch state across batches, which DP-SGD cannot clip"),
        "unroll": .init([.bool(false), .bool(true)], ""),
        "time_major": .init([.bool(false)], "time-major inputs are not implemented"),
        "implementation": .init([.int(1), .int(2)], ""),
        "use_cudnn": .init([.string("auto"), .bool(true), .bool(false)], ""),
        "zero_output_for_mask": .init([.bool(false), .bool(true)], ""),
    ]

    static func kerasOptions(_ cell: Cell?) -> [String] {
        ["units", "activation", "recurrent_activation", "use_bias", "return_sequences", "kernel_initializer",
         "recurrent_initializer", "bias_initializer"] + (cell != .gru ? ["unit_forget_bias"] : [])
    }

    /// `gru` / `lstm` (Keras `GRU` / `LSTM`).
    public static func declaration(_ cell: Cell) -> PluginDeclaration {
        var fixed = kerasFixed
        if cell == .gru { fixed["reset_after"] = .init([.bool(true)], "only reset_after=True (the Keras 3 and tf.keras 2 default) is implemented") }
        return PluginDeclaration(
            layer: cell.rawValue,
            summary: cell == .gru ? "gated recurrent unit over [steps, features]; respects padding masks; per-example norms by ghost or direct products"
                                  : "long short-term memory over [steps, features]; respects padding masks; per-example norms by ghost or direct products",
            parameters: sharedParameters(cell),
            keras: KerasDeclaration(cell == .gru ? "GRU" : "LSTM", options: kerasOptions(cell), fixed: fixed, required: ["units"]))
    }

    static func make(_ cell: Cell, _ p: DeclaredParameters, zeroOutputForMask: Bool = false) throws -> Recurrent {
        func activation(_ name: String) throws -> RecurrentActivation {
            guard let a = RecurrentActivation(rawValue: try p.string(name)) else {
                throw PrivateLearningError.invalidParameter(plugin: p.declaration.name, parameter: name,
                                                            expected: "one of " + activationChoices.joined(separator: ", "))
            }
            return a
        }
        return Recurrent(cell, units: try p.int("units"), activation: try activation("activation"),
                         recurrentActivation: try activation("recurrent_activation"), useBias: try p.bool("use_bias"),
                         returnSequences: try p.bool("return_sequences"),
                         unitForgetBias: try cell == .lstm ? p.bool("unit_forget_bias") : true,
                         kernelInitializer: try StandardChoices.initializer(p, "kernel_initializer"),
                         recurrentInitializer: try p.string("recurrent_initializer"),
                         biasInitializer: try StandardChoices.initializer(p, "bias_initializer"),
                         zeroOutputForMask: zeroOutputForMask)
    }

    static func maker(_ cell: Cell) -> @Sendable (DeclaredParameters) throws -> Recurrent { { try make(cell, $0) } }
}

extension Bidirectional {
    /// `bidirectional` (Keras `Bidirectional(GRU(…))`): the wrapped layer's kind in `layer`, its options beside it.
    public static let declaration = PluginDeclaration(
        layer: "bidirectional",
        summary: "a gru or lstm read forwards and backwards, outputs concatenated; respects padding masks",
        parameters: [.choice("layer", ["gru", "lstm"], "the wrapped recurrent layer"),
                     .fixed("merge_mode", [.string("concat")], expected: "concat")] + Recurrent.sharedParameters(nil),
        keras: KerasDeclaration("Bidirectional", options: ["layer"] + Recurrent.kerasOptions(nil),
                                fixed: Recurrent.kerasFixed.merging([
                                    "merge_mode": .init([.string("concat")], "only merge_mode='concat' is implemented"),
                                    "reset_after": .init([.bool(true)], "only reset_after=True is implemented"),
                                ]) { $1 }))

    static func make(_ p: DeclaredParameters) throws -> Bidirectional {
        let cell: Recurrent.Cell = try p.string("layer") == "gru" ? .gru : .lstm
        let forward = try Recurrent.make(cell, p, zeroOutputForMask: try p.bool("return_sequences"))
        let backward = try Recurrent.make(cell, p, zeroOutputForMask: try p.bool("return_sequences"))
        return Bidirectional(forward: forward, backward: backward)
    }
}
