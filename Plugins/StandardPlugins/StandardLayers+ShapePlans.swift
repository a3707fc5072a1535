import PrivateLearning

// Shape plans of the standard layers: what `build` will create, computed with checked arithmetic
// and without allocating, so that `Sequential` can refuse a model beyond the resource limits
// (e.g. `units: 1000000000`) before any parameter exists.

extension Dense {
    public func plannedShapes(inputShape: [Int], index: Int) throws -> LayerShapePlan? {
        guard inputShape.count == 1, inputShape[0] > 0 else {
            throw PrivateLearningError.incompatibleShape(layer: typeName, index: index, inputShape: inputShape,
                                                         reason: "dense needs a flat feature vector per example; add a flatten layer before it")
        }
        return LayerShapePlan(outputShape: [units],
                              parameterShapes: [[inputShape[0], units]] + (useBias ? [[units]] : []))
    }
}

extension Embedding {
    public func plannedShapes(inputShape: [Int], index: Int) throws -> LayerShapePlan? {
        guard inputShape.count == 1, inputShape[0] > 0 else {
            throw PrivateLearningError.incompatibleShape(layer: typeName, index: index, inputShape: inputShape,
                                                         reason: "embedding needs a flat sequence of token indices per example")
        }
        return LayerShapePlan(outputShape: [inputShape[0], outputDim], parameterShapes: [[inputDim, outputDim]])
    }
}

extension Flatten {
    public func plannedShapes(inputShape: [Int], index: Int) throws -> LayerShapePlan? {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }), let n = LayerShapePlan.elementCount(inputShape) else {
            throw PrivateLearningError.incompatibleShape(layer: typeName, index: index, inputShape: inputShape,
                                                         reason: "flatten needs a non-empty per-example shape whose size fits in an Int")
        }
        return LayerShapePlan(outputShape: [n], parameterShapes: [])
    }
}

extension Activation {
    public func plannedShapes(inputShape: [Int], index: Int) throws -> LayerShapePlan? {
        LayerShapePlan(outputShape: inputShape, parameterShapes: [])
    }
}

extension Dropout {
    public func plannedShapes(inputShape: [Int], index: Int) throws -> LayerShapePlan? {
        LayerShapePlan(outputShape: inputShape, parameterShapes: [])
    }
}

extension LayerNormalization {
    public func plannedShapes(inputShape: [Int], index: Int) throws -> LayerShapePlan? {
        guard let last = inputShape.last, last > 0 else { return nil }   // build reports the shape error
        return LayerShapePlan(outputShape: inputShape, parameterShapes: (scale ? [[last]] : []) + (center ? [[last]] : []))
    }
}

extension BatchNormalization {
    public func plannedShapes(inputShape: [Int], index: Int) throws -> LayerShapePlan? {
        guard let last = inputShape.last, last > 0 else { return nil }
        return LayerShapePlan(outputShape: inputShape, parameterShapes: [[last], [last]])
    }
}
