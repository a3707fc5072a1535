extension RunReport {
    /// One value a stage reports beyond metrics, shown next to the accountant's ε in report.json (`stage_results`)
    /// and report.html. A value that depends on private data without a DP release is `private: false`, and the
    /// stage that adds it must also add a reason to the run's not-private reasons.
    public struct StageResult: Codable, Sendable, Equatable {
        /// The stage that produced it (`audit`).
        public var stage: String
        /// What it is (`empirical_epsilon_lower_bound`).
        public var name: String
        public var value: Double
        /// How it was obtained, in one line.
        public var detail: String
        /// True when the value is a DP release or a public fact; false when it is computed from private data.
        public var `private`: Bool

        public init(stage: String, name: String, value: Double, detail: String, private isPrivate: Bool) {
            self.stage = stage
            self.name = name
            self.value = value
            self.detail = detail
            self.private = isPrivate
        }
    }
}
