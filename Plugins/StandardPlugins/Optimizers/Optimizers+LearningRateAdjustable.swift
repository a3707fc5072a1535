import PrivateLearning

// The standard optimizers' step sizes, for learning-rate schedules (post-processing: no privacy cost).
extension SGD: LearningRateAdjustable {
    public var adjustableLearningRate: Double {
        get { Double(learningRate) }
        set { learningRate = Float(newValue) }
    }
}

extension Adam: LearningRateAdjustable {
    public var adjustableLearningRate: Double {
        get { Double(learningRate) }
        set { learningRate = Float(newValue) }
    }
}

extension AdamW: LearningRateAdjustable {
    public var adjustableLearningRate: Double {
        get { Double(learningRate) }
        set { learningRate = Float(newValue) }
    }
}

extension RMSprop: LearningRateAdjustable {
    public var adjustableLearningRate: Double {
        get { Double(learningRate) }
        set { learningRate = Float(newValue) }
    }
}

extension Adagrad: LearningRateAdjustable {
    public var adjustableLearningRate: Double {
        get { Double(learningRate) }
        set { learningRate = Float(newValue) }
    }
}
