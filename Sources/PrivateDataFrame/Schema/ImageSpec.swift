/// The public declaration of an image spread over pixel columns: which columns, in which shape,
/// and the declared pixel bounds that fix the scaling (never computed from the data).
///
/// In YAML or JSON, inside a schema:
/// ```yaml
/// image: {columns: "pixel_*", shape: [28, 28, 1], min: 0, max: 255}
/// ```
/// The columns matching the pattern (one `*` standing for any non-empty text), in file order,
/// are the image's pixels in row-major channels-last order (`[height, width, channels]` or
/// `[steps, channels]`); their number must equal the product of `shape`. Each is a number column
/// in `[min, max]`; features are scaled by these bounds only, like every number column.
public struct ImageSpec: Sendable, Equatable, Hashable {
    /// Column-name pattern with exactly one `*` (`pixel_*`).
    public var columns: String
    /// Per-example shape, channels last (1 to 3 axes).
    public var shape: [Int]
    /// Declared pixel bounds (public).
    public var min: Double
    public var max: Double
    /// Policies of every pixel column (as a number column's).
    public var missing: MissingValuePolicy
    public var invalid: InvalidValuePolicy
    public var outOfBounds: OutOfBoundsPolicy

    public init(columns: String, shape: [Int], min: Double, max: Double, missing: MissingValuePolicy = .error,
                invalid: InvalidValuePolicy = .error, outOfBounds: OutOfBoundsPolicy = .clamp) {
        self.columns = columns
        self.shape = shape
        self.min = min
        self.max = max
        self.missing = missing
        self.invalid = invalid
        self.outOfBounds = outOfBounds
    }

    /// Largest number of pixels per image.
    public static let maximumPixels = 1 << 24

    /// The declaration of each pixel column.
    public var columnSpec: ColumnSpec {
        .number(min: min, max: max, missing: missing, outOfBounds: outOfBounds, invalid: invalid)
    }

    /// Pixels per image (`∏ shape`); valid after `validate()`.
    public var pixelCount: Int { shape.reduce(1, *) }

    var patternParts: (prefix: Substring, suffix: Substring)? {
        let parts = columns.split(separator: "*", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        return (parts[0], parts[1])
    }

    /// True when `name` matches the pattern.
    public func matches(_ name: String) -> Bool {
        guard let (prefix, suffix) = patternParts else { return false }
        return name.count > prefix.count + suffix.count && name.hasPrefix(prefix) && name.hasSuffix(suffix)
    }

    /// The name of pixel `k` when a loader creates the columns (`pixel_0`, `pixel_1`, …).
    public func columnName(_ k: Int) -> String {
        guard let (prefix, suffix) = patternParts else { return "\(columns)\(k)" }
        return "\(prefix)\(k)\(suffix)"
    }

    /// - Throws: `DataFrameError.invalidSchema` naming `image`.
    public func validate() throws {
        func fail(_ why: String) -> DataFrameError { .invalidSchema(column: "image", reason: why) }
        guard patternParts != nil else { throw fail("columns must be a pattern with exactly one '*', like \"pixel_*\"") }
        guard (1...3).contains(shape.count) else { throw fail("shape must have 1 to 3 axes ([height, width, channels] or [steps, channels])") }
        var product = 1
        for d in shape {
            guard d > 0 else { throw fail("every axis of shape must be a positive integer") }
            let (p, overflow) = product.multipliedReportingOverflow(by: d)
            guard !overflow, p <= Self.maximumPixels else { throw fail("more than \(Self.maximumPixels) pixels per image") }
            product = p
        }
        try Schema.validate(columnSpec, name: "image")
    }
}

extension ImageSpec: Codable {
    enum CodingKeys: String, CodingKey { case columns, shape, min, max }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        columns = try c.decode(String.self, forKey: .columns)
        shape = try c.decode([Int].self, forKey: .shape)
        min = try c.decode(Double.self, forKey: .min)
        max = try c.decode(Double.self, forKey: .max)
        let policies = try decoder.container(keyedBy: ColumnSpec.CodingKeys.self)
        missing = try ColumnSpec.decodePolicy(policies, .missing)
        invalid = try ColumnSpec.decodePolicy(policies, .invalid)
        outOfBounds = try policies.decodeIfPresent(OutOfBoundsPolicy.self, forKey: .outOfBounds) ?? .clamp
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(columns, forKey: .columns)
        try c.encode(shape, forKey: .shape)
        try c.encode(min, forKey: .min)
        try c.encode(max, forKey: .max)
        try columnSpec.encode(to: encoder)
    }
}
