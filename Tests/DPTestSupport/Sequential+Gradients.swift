import PrivateLearning

extension Sequential {
    /// `Σ_i w_i g_i` of `loss` on `(x, y)` from one recorded forward/backward pass (test helper).
    public func weightedGradients(_ x: Tensor, _ y: Tensor, loss: any Loss, exampleWeights: [Float]? = nil) -> [Tensor] {
        let recorded = forwardRecording(x)
        var tape = recorded.tape
        backward(loss.perExampleGradient(predictions: recorded.output, targets: y), tape: &tape)
        return parameterGradients(tape: tape, exampleWeights: exampleWeights)
    }
}
